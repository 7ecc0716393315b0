"""Where the route resolver learns what can be had without paper: ``FactSource`` (which
data-sharing questions a department could answer) and ``CertificateHoldings`` (which
e-certificate types an applicant holds).

These are the interfaces the exchange (data sharing between departments) and the certificates
(the holder's wallet) packages will implement; until they do, :class:`TableFactSource` and
:class:`TableCertificateHoldings` answer from the demo province's own departmental tables
(:mod:`certfree.population`). They are real lookups, not fakes, and will be replaced by the
exchange and certs packages.

Coverage means the holding department has records from which it could answer the question for
this subject — not the answer itself: the resolver plans a route, the exchange verifies later,
so a desk learns nothing about the applicant from a route (data minimisation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from certfree.identifiers import province
from certfree.nodes import DepartmentKind, Node, department_name, node_code
from certfree.population import (
    DrivingLicence,
    Firm,
    FirmStatus,
    InsuranceEnrolment,
    Marriage,
    MarriageStatus,
    Person,
    PropertyTitle,
    TaxStanding,
    Vehicle,
)
from certfree.procedures.certificate_types import certificate_types
from certfree.procedures.subjects import Subject
from certfree.procedures.vocab import SubjectKind
from certfree.questions import ParameterValue
from certfree.questions import QuestionDef as Question

__all__ = [
    "WALLET_RULES",
    "CertificateHoldings",
    "Coverage",
    "FactSource",
    "TableCertificateHoldings",
    "TableFactSource",
]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Whether a question can be answered for a subject, by which department node, and why."""

    available: bool
    node_code: str
    department: str
    reason_zh: str


class FactSource(Protocol):
    """Which data-sharing questions can be answered for a subject, and by which node."""

    def coverage(
        self, subject: Subject, question: Question, parameters: Mapping[str, ParameterValue]
    ) -> Coverage: ...


class CertificateHoldings(Protocol):
    """Which e-certificate types (GB/T 36904 type codes) a subject holds in the wallet."""

    def held_types(self, subject: Subject) -> frozenset[str]: ...


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class _Tables:
    def __init__(self, session: Session, today: dt.date | None) -> None:
        self.session = session
        self.today = today or dt.date.today()
        self._people: dict[str, Person | None] = {}

    def person(self, id_number: str) -> Person | None:
        if id_number not in self._people:
            found = self.session.get(Person, id_number)
            self._people[id_number] = None if found is None or found.deceased else found
        return self._people[id_number]

    def any(self, model: type[object], *conditions: ColumnElement[bool]) -> bool:
        return bool(self.session.scalar(select(exists().where(*conditions).select_from(model))))


class TableFactSource(_Tables):
    """Answers coverage from the demo province's tables; the province's department nodes answer.

    The node is the provincial department node (``370000-MZ``) as the registry names it, or
    the organ's standard name when the registry has no such node yet.
    """

    def __init__(self, session: Session, *, today: dt.date | None = None) -> None:
        super().__init__(session, today)
        self._province = province()

    def organ(self, kind: DepartmentKind) -> tuple[str, str]:
        code = node_code(self._province.code, kind)
        node = self.session.get(Node, code)
        name = node.name if node else department_name(kind, self._province.name, provincial=True)
        return code, name

    def coverage(
        self, subject: Subject, question: Question, parameters: Mapping[str, ParameterValue]
    ) -> Coverage:
        code, organ = self.organ(question.department)
        kinds = {_KINDS[p.type] for p in question.party_params}
        if subject.kind not in kinds:
            who = "、".join(kind.zh for kind in kinds)
            return Coverage(False, code, organ, f"{question.title_zh}只能对{who}核验")
        if subject.kind is SubjectKind.ORGANISATION:
            available, reason = self._organisation(subject.identifier, question)
        elif self.person(subject.identifier) is None:
            available, reason = False, "公安人口库中没有该申请人的在册记录"
        else:
            available, reason = self._person(subject.identifier, question, parameters)
        return Coverage(available, code, organ, reason)

    def _organisation(self, uscc: str, question: Question) -> tuple[bool, str]:
        if question.name == "tax_clear":
            held = self.any(TaxStanding, TaxStanding.taxpayer_id == uscc)
            return held, "税务系统中" + ("有" if held else "没有") + "该纳税人的纳税记录"
        held = self.any(Firm, Firm.uscc == uscc)
        return held, "市场主体登记库中" + ("有" if held else "没有") + "该主体的登记记录"

    def _person(
        self, id_number: str, question: Question, parameters: Mapping[str, ParameterValue]
    ) -> tuple[bool, str]:
        found = _PERSON_RECORDS.get(question.name)
        if found is None:
            return False, f"演示省没有可答复「{question.title_zh}」的数据"
        register, what, check = found
        held = check(self, id_number, parameters)
        return held, f"{register}中{'有' if held else '没有'}申请人的{what}"


_KINDS = {"resident_id": SubjectKind.PERSON, "uscc": SubjectKind.ORGANISATION}
_PersonCheck = Callable[[TableFactSource, str, Mapping[str, ParameterValue]], bool]


def _owns_property(source: _Tables, who: str, _: Mapping[str, ParameterValue]) -> bool:
    owner = or_(PropertyTitle.owner_id == who, PropertyTitle.co_owner_id == who)
    return source.any(PropertyTitle, owner)


def _licence(source: _Tables, who: str, parameters: Mapping[str, ParameterValue]) -> bool:
    conditions = [DrivingLicence.id_number == who]
    if "class" in parameters:
        conditions.append(DrivingLicence.licence_class == parameters["class"])
    return source.any(DrivingLicence, *conditions)


def _insured(source: _Tables, who: str, parameters: Mapping[str, ParameterValue]) -> bool:
    conditions = [InsuranceEnrolment.id_number == who]
    if "kind" in parameters:
        conditions.append(InsuranceEnrolment.kind == parameters["kind"])
    return source.any(InsuranceEnrolment, *conditions)


def _always(_source: _Tables, _who: str, _parameters: Mapping[str, ParameterValue]) -> bool:
    # The person is on the population register (checked first), which holds these facts.
    return True


# question → (register that holds the facts, what it holds, does it hold them for this person)
_PERSON_RECORDS: dict[str, tuple[str, str, _PersonCheck]] = {
    "marital_status": ("婚姻登记库和人口库", "婚姻登记状况", _always),
    "same_household": ("公安户籍库", "户籍登记", _always),
    "is_resident_of": ("公安户籍库", "户籍登记", _always),
    "age_at_least": ("公安人口库", "出生日期", _always),
    "owns_property": ("不动产登记库", "不动产登记记录", _owns_property),
    "tax_clear": (
        "税务系统",
        "纳税记录",
        lambda s, who, _: s.any(TaxStanding, TaxStanding.taxpayer_id == who),
    ),
    "has_driving_licence": ("车驾管系统", "驾驶证记录", _licence),
    "social_insurance_enrolled": ("社会保险系统", "参保记录", _insured),
    "firm_registered": (
        "市场主体登记库",
        "作为法定代表人或经营者登记的主体",
        lambda s, who, _: s.any(Firm, Firm.legal_rep_id == who),
    ),
}


class TableCertificateHoldings(_Tables):
    """The certificate types a subject would hold, by the rules in ``certificate_types.csv``."""

    def __init__(self, session: Session, *, today: dt.date | None = None) -> None:
        super().__init__(session, today)

    def held_types(self, subject: Subject) -> frozenset[str]:
        return frozenset(
            code
            for code, kind in certificate_types().items()
            if kind.holder is subject.kind
            and WALLET_RULES[kind.rule](self, subject.identifier, kind.rule_parameter)
        )


def _married(status: MarriageStatus) -> Callable[[TableCertificateHoldings, str, str], bool]:
    def rule(wallet: TableCertificateHoldings, who: str, _: str) -> bool:
        party = or_(Marriage.party_a_id == who, Marriage.party_b_id == who)
        return wallet.any(Marriage, party, Marriage.status == status)

    return rule


def _age_at_least(wallet: TableCertificateHoldings, who: str, years: str) -> bool:
    person = wallet.person(who)
    return person is not None and _age(person.birth_date, wallet.today) >= int(years)


# rule name (the ``rule`` column of certificate_types.csv) → (wallet, holder id, parameter) → held
WALLET_RULES: dict[str, Callable[[TableCertificateHoldings, str, str], bool]] = {
    "person": lambda w, who, _: w.person(who) is not None,
    "household": lambda w, who, _: (p := w.person(who)) is not None and bool(p.household_no),
    "driving_licence": lambda w, who, _: w.any(DrivingLicence, DrivingLicence.id_number == who),
    "vehicle": lambda w, who, _: w.any(Vehicle, Vehicle.owner_id == who),
    "married": _married(MarriageStatus.MARRIED),
    "divorced": _married(MarriageStatus.DIVORCED),
    "property_title": lambda w, who, _: _owns_property(w, who, {}),
    "firm_active": lambda w, who, _: w.any(
        Firm, Firm.uscc == who, Firm.status == FirmStatus.ACTIVE
    ),
    "insurance": lambda w, who, _: w.any(InsuranceEnrolment, InsuranceEnrolment.id_number == who),
    "age_at_least": _age_at_least,
}
