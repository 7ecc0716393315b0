"""The facts a citizen may ask to have corrected online, who owns each, and where it is written.

A correction names a fact either as a verification question's data item (``residence``: the
answer of ``is_resident_of``) or as a certificate's face field (``resident_id_card.name``);
both lead to one :class:`Fact` here: the department kind that owns it (the register it is
kept in), how a value is checked, and which certificate face fields carry it. Only facts kept
in one column of a register are listed; anything else (a marriage, a household move) has its
own procedure at the department and is refused with the list of what can be corrected.

:class:`RegisterFacts` is the adapter that reads and writes a fact in the departmental
registers of :mod:`certfree.population` (the demo province's tables, which the questions'
default bindings read too, so a corrected value is what the next answer says). A department
that keeps its register elsewhere provides another :class:`FactStore`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from certfree.errors import InvalidInput, NotFound
from certfree.governance.subject_rights.errors import FactNotCorrectable
from certfree.identifiers import lookup_division
from certfree.nodes import DepartmentKind
from certfree.population import DrivingLicence, LicenceClass, Person

__all__ = [
    "FACTS",
    "MAX_VALUE",
    "Fact",
    "FactStore",
    "RegisterFacts",
    "check_value",
    "fact_for_data_item",
    "fact_for_face_field",
]

MAX_VALUE = 200  # characters of a value as the citizen writes it


@dataclass(frozen=True)
class Fact:
    code: str
    label_zh: str
    label_en: str
    department: DepartmentKind
    kind: str  # "text" (≤ 32 characters), "date" (ISO 8601), "division" (GB/T 2260), "enum"
    data_items: tuple[str, ...] = ()
    # certificate type slug → face field carrying the fact
    face_fields: Mapping[str, str] = field(default_factory=dict)
    values: tuple[str, ...] = ()


_PERSON_CARDS = ("resident_id_card", "household_register", "driving_licence")

FACTS: dict[str, Fact] = {
    fact.code: fact
    for fact in (
        Fact(
            "name", "姓名", "Name", DepartmentKind.GA, "text",
            face_fields=dict.fromkeys(_PERSON_CARDS, "name"),
        ),
        Fact(
            "birth_date", "出生日期", "Date of birth", DepartmentKind.GA, "date",
            data_items=("age_threshold",),
            face_fields=dict.fromkeys(_PERSON_CARDS, "birth_date"),
        ),
        Fact(
            "residence", "户籍地（县级行政区划）", "Registered residence (county code)",
            DepartmentKind.GA, "division", data_items=("residence",),
        ),
        Fact(
            "licence_class", "准驾车型", "Permitted vehicle class", DepartmentKind.GA, "enum",
            data_items=("driving_licence",), face_fields={"driving_licence": "licence_class"},
            values=tuple(c.value for c in LicenceClass),
        ),
    )
}  # fmt: skip


def _choices() -> str:
    return "、".join(f"{f.label_zh}（{f.code}）" for f in FACTS.values())


def fact_for_data_item(data_item: str) -> Fact:
    """The fact underlying a question's data item; FactNotCorrectable names the field."""
    for fact in FACTS.values():
        if data_item in fact.data_items or data_item == fact.code:
            return fact
    raise FactNotCorrectable(
        f"数据项 {data_item!r} 不能在线申请更正，请向主管部门当面申请；可在线更正的有：{_choices()}"
        f"（data item {data_item!r} cannot be corrected online）",
        field="data_item",
    )


def fact_for_face_field(type_slug: str, face_field: str) -> Fact:
    """The fact a certificate type's face field carries; FactNotCorrectable if none."""
    for fact in FACTS.values():
        if fact.face_fields.get(type_slug) == face_field:
            return fact
    raise FactNotCorrectable(
        f"证照 {type_slug} 的 {face_field!r} 不能在线申请更正；可在线更正的有：{_choices()}"
        f"（face field {face_field!r} of {type_slug} cannot be corrected online）",
        field="field",
    )


def check_value(fact: Fact, value: str, name: str = "requested_value") -> str:
    """``value`` in the fact's canonical form; InvalidInput naming ``name`` says what fits."""
    text = value.strip()
    if fact.kind == "text":
        if not 1 <= len(text) <= 32:
            raise InvalidInput(f"{fact.label_zh}应为 1 至 32 个字符", field=name)
        return text
    if fact.kind == "date":
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(
                f"{fact.label_zh}应写作 2026-12-07 这样的日期，实际 {text!r}", field=name
            ) from None
        return day.isoformat()
    if fact.kind == "division":
        if len(text) != 6 or not text.isdigit() or lookup_division(text) is None:
            raise InvalidInput(
                f"{fact.label_zh}应为 GB/T 2260 六位行政区划代码，实际 {text!r}", field=name
            )
        return text
    if text.upper() not in fact.values:
        raise InvalidInput(
            f"{fact.label_zh}应为 {'、'.join(fact.values)} 之一，实际 {text!r}", field=name
        )
    return text.upper()


class FactStore(Protocol):
    """Where a department keeps its facts about people."""

    def read(self, session: Session, subject_id: str, fact: Fact) -> str | None: ...

    def write(self, session: Session, subject_id: str, fact: Fact, value: str) -> str | None:
        """Set the fact; the value it had before (NotFound if the person has no record)."""
        ...


class RegisterFacts:
    """The registers of :mod:`certfree.population` (公安's persons and driving licences)."""

    def read(self, session: Session, subject_id: str, fact: Fact) -> str | None:
        if fact.code == "licence_class":
            licence = session.get(DrivingLicence, subject_id)
            return licence.licence_class.value if licence is not None else None
        person = session.get(Person, subject_id)
        if person is None:
            return None
        return {
            "name": person.name,
            "birth_date": person.birth_date.isoformat(),
            "residence": person.address_code,
        }[fact.code]

    def write(self, session: Session, subject_id: str, fact: Fact, value: str) -> str | None:
        before = self.read(session, subject_id, fact)
        if before is None:
            raise NotFound(f"本部门登记册中没有 {subject_id} 的{fact.label_zh}记录")
        if fact.code == "licence_class":
            licence = session.get(DrivingLicence, subject_id)
            assert licence is not None
            licence.licence_class = LicenceClass(value)
            return before
        person = session.get(Person, subject_id)
        assert person is not None
        if fact.code == "name":
            person.name = value
        elif fact.code == "birth_date":
            person.birth_date = dt.date.fromisoformat(value)
        else:
            person.address_code = value
        session.flush()
        return before
