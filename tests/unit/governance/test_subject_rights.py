"""The rules of data-subject requests: which facts can be corrected and how values are
checked, the deadline, masking other people in an export, objections blocking later uses."""

from __future__ import annotations

import datetime as dt

import pytest

from certfree.errors import InvalidInput
from certfree.governance import subject_rights as rights
from certfree.governance.subject_rights.export import mask_others
from certfree.governance.subject_rights.facts import fact_for_data_item, fact_for_face_field
from certfree.storage import Database
from factories.population import married_couple

WIFE = "370102199207090028"


def test_facts_come_from_data_items_and_face_fields_and_others_are_refused() -> None:
    assert rights.FACTS["name"].department.value == "GA"
    assert fact_for_data_item("residence").code == "residence"
    assert fact_for_data_item("age_threshold").code == "birth_date"
    assert fact_for_face_field("driving_licence", "licence_class").code == "licence_class"
    with pytest.raises(rights.FactNotCorrectable) as refused:
        fact_for_data_item("marital_status")
    assert refused.value.field == "data_item"
    assert "姓名（name）" in refused.value.message  # says what can be corrected
    with pytest.raises(rights.FactNotCorrectable) as refused:
        fact_for_face_field("resident_id_card", "issuing_authority")
    assert refused.value.field == "field"


@pytest.mark.parametrize(
    ("fact", "value", "canonical"),
    [
        ("name", " 张炜 ", "张炜"),
        ("birth_date", "1990-03-01", "1990-03-01"),
        ("residence", "370103", "370103"),
        ("licence_class", "c1", "C1"),
    ],
)
def test_values_are_checked_and_canonical(fact: str, value: str, canonical: str) -> None:
    assert rights.check_value(rights.FACTS[fact], value) == canonical


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        ("name", ""),
        ("name", "张" * 33),
        ("birth_date", "1990/03/01"),
        ("residence", "999999"),
        ("residence", "37010"),
        ("licence_class", "Z9"),
    ],
)
def test_wrong_values_name_the_field(fact: str, value: str) -> None:
    with pytest.raises(InvalidInput) as wrong:
        rights.check_value(rights.FACTS[fact], value)
    assert wrong.value.field == "requested_value"


def test_the_deadline_is_fifteen_working_days_and_overdue_is_computed(db: Database) -> None:
    with db.session() as session:
        husband, _, _ = married_couple(session)
        # A Monday in a week without holidays: three calendar weeks later, at midnight.
        monday = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
        row = rights.create_correction(
            session,
            subject_id=husband.id_number,
            home="370100",
            department_region="370100",
            data_item="residence",
            certificate_id=None,
            field=None,
            current_value="370102",
            requested_value="370103",
            reason="迁居",
            now=monday,
        )
        assert row.department_code == "370100-GA"
        assert row.deadline == dt.datetime(2026, 3, 23, 16, 0, tzinfo=dt.UTC)  # 24:00 Beijing
        assert rights.effective_status(row, row.deadline - dt.timedelta(seconds=1)).value == (
            "pending"
        )
        assert rights.effective_status(row, row.deadline).value == "overdue"
        with pytest.raises(InvalidInput) as wrong:
            rights.create_correction(
                session, subject_id=husband.id_number, home="370100",
                department_region="370100", data_item="residence", certificate_id=None,
                field=None, current_value="370102", requested_value="370103", reason="迁居",
                department="370100-MZ",
            )  # fmt: skip
        assert wrong.value.field == "department"


def test_an_export_masks_every_id_number_but_the_subjects() -> None:
    me = "370102199003010056"
    masked = mask_others(
        {"a": me, "b": [WIFE, f"配偶 {WIFE}。"], "c": {"d": "91370100MA3C5XYZ12"}, "e": 7}, me
    )
    assert masked == {
        "a": me,
        "b": ["3701**********0028", "配偶 3701**********0028。"],
        "c": {"d": "91370100MA3C5XYZ12"},  # a firm's code is not a person's number
        "e": 7,
    }


def test_an_objection_blocks_its_use_only_until_withdrawn(db: Database) -> None:
    with db.session() as session:
        husband, wife, _ = married_couple(session)
        made = rights.object_to_use(
            session, husband.id_number, use="marital_status", reason="不同意", node="370100"
        )
        again = rights.object_to_use(
            session, husband.id_number, use="marital_status", reason="再次", node="370100"
        )
        assert again.id == made.id  # one standing objection per use
        with pytest.raises(rights.UseObjected) as blocked:
            rights.check_not_objected(
                session, [wife.id_number, husband.id_number], "marital_status"
            )
        assert blocked.value.problem_extensions()["use"] == "marital_status"
        assert husband.id_number not in blocked.value.message
        rights.check_not_objected(session, [husband.id_number], "owns_property")
        rights.check_not_objected(session, [wife.id_number], "marital_status")
        with pytest.raises(rights.ObjectionNotFound):
            rights.withdraw_objection(session, wife.id_number, made.id, node="370100")
        rights.withdraw_objection(session, husband.id_number, made.id, node="370100")
        rights.check_not_objected(session, [husband.id_number], "marital_status")
        with pytest.raises(InvalidInput) as unknown:
            rights.object_to_use(session, husband.id_number, use="nope", reason="x", node="1")
        assert unknown.value.field == "use"
