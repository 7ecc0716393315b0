"""A question's arguments are filled in one place, for the plan and for the after-checks."""

from __future__ import annotations

from certfree.procedures import question_args
from certfree.questions import get_question

APPLICANT, HOST = "370102200104020018", "370103196809300034"


def test_a_two_party_question_names_the_applicant_then_the_requirements_party() -> None:
    args = question_args(get_question("same_household"), {}, subject=HOST, applicant=APPLICANT)
    assert args == {"id_a": APPLICANT, "id_b": HOST}


def test_one_party_and_the_items_fixed_parameters_of_the_question_only() -> None:
    args = question_args(
        get_question("owns_property"),
        {"division": "370102", "predicate": "owns"},  # predicate: not the question's
        subject=HOST,
        applicant=APPLICANT,
    )
    assert args == {"id_number": HOST, "division": "370102"}


def test_a_yes_or_no_parameter_travels_as_one_or_zero() -> None:
    args = question_args(
        get_question("age_at_least"), {"years": True}, subject=HOST, applicant=APPLICANT
    )
    assert args == {"id_number": HOST, "years": 1}
    assert type(args["years"]) is int
