"""A department's answer masks the fields the consumer's grant does not name."""

from __future__ import annotations

import dataclasses

from certfree.classification import class_of
from certfree.exchange.questions.catalogue import answer_result
from certfree.questions import AnswerField, get_question

OWNS = get_question("owns_property")
# owns_property with two more fields a binding could answer: the owner's name and address.
WIDER = dataclasses.replace(
    OWNS,
    answer=(
        *OWNS.answer,
        AnswerField("owner", "string", False, "owner_name", class_of("personal.name")),
        AnswerField("address", "string", False, "owner_address", class_of("personal.address")),
    ),
)
FACTS = {"owns": True, "count": 2, "owner": "王建国", "address": "山东省济南市历下区泉城路1号"}


def test_fields_the_grant_does_not_name_come_back_masked_by_their_class() -> None:
    result, masked = answer_result(WIDER, FACTS, {"property_ownership"}, narrowed=False)
    # The yes/no core answer whole; the count (property, hidden) left out as before; the
    # name and the address masked by their classes' rules.
    assert result == {"owns": True, "owner": "王*", "address": "山东省济南市历下区****"}
    assert masked == ["owner", "address"]


def test_a_grant_naming_the_field_yields_the_whole_value() -> None:
    granted = {"property_ownership", "property_count", "owner_name", "owner_address"}
    result, masked = answer_result(WIDER, FACTS, granted, narrowed=False)
    assert result == FACTS
    assert masked == []


def test_a_consumer_asking_for_less_gets_only_that() -> None:
    result, masked = answer_result(WIDER, FACTS, {"property_ownership"}, narrowed=True)
    assert result == {"owns": True}
    assert masked == []


def test_a_yes_no_answer_not_granted_is_left_out_never_masked() -> None:
    yes_no = dataclasses.replace(
        OWNS,
        answer=(
            *OWNS.answer,
            AnswerField("married", "boolean", False, "marital_status", class_of("personal.name")),
        ),
    )
    result, _ = answer_result(
        yes_no, {**FACTS, "married": True}, {"property_ownership"}, narrowed=False
    )
    assert result == {"owns": True}
