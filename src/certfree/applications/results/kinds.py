"""The result certificate of each kind of service: what the applicant states for it, the
registers its approval writes and the face data of each certificate it issues.

* 结婚证 — one to each party, with one registration number; the marriage is recorded, and a
  party the register shows as married is refused (《民法典》第一千零四十二条: 禁止重婚);
* 老年人优待证 — to the applicant, from the population register;
* 营业执照 — to the new firm (holder: its freshly generated USCC), sealed to the legal
  representative's wallet key; the firm's details come from the application's form;
* 居民户口簿 (投靠亲属落户) — the applicant moved into the host's household, then the entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree import certs, procedures
from certfree.applications.cases import find_service_item
from certfree.applications.errors import (
    PartyMissing,
    RequirementsNotMet,
    ResultNotIssuable,
    WrongState,
)
from certfree.applications.models import Application, ApplicationParty
from certfree.applications.vocab import OPEN_STATES
from certfree.errors import InvalidInput
from certfree.exchange.register_notices import (
    FIRM_REGISTERED,
    HOUSEHOLD_MOVED,
    MARRIAGE_REGISTERED,
)
from certfree.identifiers import lookup_division
from certfree.population import (
    LICENCE_ENTITY_TYPES,
    SEX_ZH,
    Firm,
    FirmStatus,
    Household,
    Person,
    Sex,
    current_marriage,
    move_into_household,
    new_uscc,
    register_firm,
    register_marriage,
)

__all__ = [
    "BUSINESS_LICENCE",
    "ELDERLY_CARD",
    "FORM_FIELDS",
    "HOUSEHOLD_REGISTER",
    "MARRIAGE_CERTIFICATE",
    "PLANNERS",
    "Case",
    "Pending",
    "ResultPlan",
    "result_form",
    "set_result_form",
]

MARRIAGE_CERTIFICATE = "111000000000132071001"
ELDERLY_CARD = "11100000000013709K001"
BUSINESS_LICENCE = "111000000000141036001"
HOUSEHOLD_REGISTER = "11100000000013047R002"

# What the applicant states for the result (face fields of the type), kept in the
# application's form: the new firm's details, the relation to the household head.
FORM_FIELDS: dict[str, tuple[str, ...]] = {
    BUSINESS_LICENCE: (
        "name",
        "entity_type",
        "address",
        "business_scope",
        "registered_capital_wan",
    ),
    HOUSEHOLD_REGISTER: ("relation_to_head",),
}
_FORM_REQUIRED = {BUSINESS_LICENCE: ("name", "entity_type", "address", "business_scope")}
_Role = procedures.PartyRole
APPLICANT, SPOUSE, HOST, REPRESENTATIVE = (
    _Role.APPLICANT,
    _Role.SPOUSE,
    _Role.HOST,
    _Role.REPRESENTATIVE,
)
_HOUSEHOLD_TYPE = "家庭户"  # 投靠亲属 joins a family household
_OTHER_RELATION = "其他"


@dataclass(frozen=True, slots=True)
class Pending:
    """One certificate to seal: to ``holder_id``, bound to ``party``'s wallet key."""

    holder_id: str
    party: ApplicationParty
    face: dict[str, Any]
    registered_in: str | None = None  # where the act is registered, if not the holder's home
    new_holder: bool = False  # the holder enters the register with this act (a new firm)


@dataclass(slots=True)
class ResultPlan:
    """What approval will do: the certificates to seal and the register writes before them."""

    kind: certs.CertType
    issuer: certs.Issuer
    pending: list[Pending] = field(default_factory=list)
    write: Callable[[], object] = lambda: None
    # What ``write`` records, as register notices tell the register's department (act, record).
    acts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Case:
    session: Session
    app: Application
    kind: certs.CertType
    issuer: certs.Issuer
    day: dt.date

    @property
    def region(self) -> str:
        """The issuing organ's GB/T 2260 region (``370100`` of ``370100-MZ``)."""
        return self.issuer.node_code.split("-", 1)[0]

    @property
    def serial(self) -> str:
        """The application id's random part: unique, and ties a number to its case."""
        return self.app.id.rsplit("-", 1)[-1]

    def party(self, role: str) -> ApplicationParty:
        found = next((p for p in self.app.parties if p.role == role), None)
        if found is None:
            label = procedures.PartyRole(role).label_zh
            raise PartyMissing(
                f"签发{self.kind.name}需要当事人「{label}」，办件中没有"
                f"（the {role} is needed to issue the certificate）",
                field="parties",
            )
        return found

    def person(self, party: ApplicationParty) -> Person:
        person = self.session.get(Person, party.subject_id)
        if person is None or person.deceased:
            state = "没有在册记录" if person is None else "记录为已死亡"
            raise ResultNotIssuable(
                f"人口库中当事人 {party.subject_id} {state}，无法签发{self.kind.name}"
                f"（party {party.subject_id} is not a living person on the register）",
                field=f"parties.{party.role}",
            )
        return person

    def household(self, person: Person) -> Household:
        home = self.session.get(Household, person.household_no)
        assert home is not None  # foreign key
        return home

    def form(self) -> dict[str, Any]:
        return result_form(self.app)


def result_form(app: Application) -> dict[str, Any]:
    """The applicant's statements for the result (``FORM_FIELDS``)."""
    return dict(app.form or {})


def set_result_form(session: Session, app: Application, form: Mapping[str, Any]) -> dict[str, Any]:
    """Record the applicant's statements for the result certificate (the new firm's name,
    type, domicile, business scope and registered capital; the relation to the household
    head) in the application; InvalidInput names a field the type does not take or a value
    its face would refuse. Returns the stored form."""
    if app.state not in OPEN_STATES:
        raise WrongState(
            f"办件 {app.id} 处于「{app.state.label_zh}」状态，不能再修改申请信息"
            f"（an application that is {app.state.label_en} takes no more changes）",
            field="state",
        )
    code = find_service_item(session, app.service_code).result_cert_type
    allowed = FORM_FIELDS.get(code or "", ())
    unknown = sorted(set(form) - set(allowed))
    if unknown:
        listed = "、".join(allowed) or "无"
        raise InvalidInput(
            f"该事项的申请信息没有 {unknown[0]!r} 一项（可填：{listed}；unknown form field）",
            field=f"form.{unknown[0]}",
        )
    assert code is not None  # allowed is empty otherwise, and form was refused above
    stored = {name: form[name] for name in allowed if form.get(name) is not None}
    kind = certs.cert_type(code)
    try:
        if code == BUSINESS_LICENCE:
            certs.check_face_data(kind, _licence_face(stored, uscc=None, rep="—", authority="—"))
        elif code == HOUSEHOLD_REGISTER and "relation_to_head" in stored:
            certs.check_face_data(kind, {**kind.example, **stored})
    except certs.FaceDataInvalid as exc:
        raise InvalidInput(exc.message, field=f"form.{exc.field}") from None
    app.form = stored
    return stored


def _licence_face(
    form: Mapping[str, Any],
    *,
    uscc: str | None,
    rep: str,
    authority: str,
    day: dt.date | None = None,
) -> dict[str, Any]:
    """The licence's face from the form (a placeholder code while only the form is checked)."""
    return {
        "uscc": uscc or "91370102MA3C5T8K4B",  # the type's example, valid, never stored
        "name": form.get("name"),
        "entity_type": form.get("entity_type"),
        "legal_representative": rep,
        "registered_capital_wan": form.get("registered_capital_wan"),
        "established_on": (day or dt.date.today()).isoformat(),
        "business_scope": form.get("business_scope"),
        "address": form.get("address"),
        "registration_authority": authority,
    }


# 《民法典》第一千零四十七条: 男不得早于二十二周岁，女不得早于二十周岁.
_MARRIAGE_AGE = {Sex.MALE: 22, Sex.FEMALE: 20}


def _check_marriageable(
    case: Case, parties: tuple[ApplicationParty, ...], people: list[Person]
) -> None:
    """A man and a woman (《民法典》第一千零四十六条), each of marriageable age (第一千零四十七
    条)."""
    if {p.sex for p in people} != {Sex.MALE, Sex.FEMALE}:
        raise RequirementsNotMet(
            "结婚登记须由男女双方申请（《民法典》第一千零四十六条）"
            "（a marriage is registered for a man and a woman）",
            field="parties.spouse",
        )
    for party, person in zip(parties, people, strict=True):
        born = person.birth_date
        age = case.day.year - born.year - ((case.day.month, case.day.day) < (born.month, born.day))
        if age < _MARRIAGE_AGE[person.sex]:
            raise RequirementsNotMet(
                f"{person.name} 未达法定婚龄（{_MARRIAGE_AGE[person.sex]} 周岁，《民法典》"
                f"第一千零四十七条）（the {party.role} is under the legal age of marriage）",
                field=f"parties.{party.role}",
            )


def _marriage(case: Case, plan: ResultPlan) -> None:
    parties = case.party(APPLICANT), case.party(SPOUSE)
    people = [case.person(p) for p in parties]
    for party, person in zip(parties, people, strict=True):
        found = current_marriage(case.session, person.id_number)
        if found is not None:
            raise RequirementsNotMet(
                f"婚姻登记记录显示 {person.name}（{person.id_number}）已登记结婚"
                f"（结婚证字号 {found.registration_no}），不能再次结婚登记"
                f"（the marriage register shows {party.role} as married）",
                field=f"parties.{party.role}",
            )
    _check_marriageable(case, parties, people)
    number = f"J{case.region}-{case.day.year}-{case.serial}"  # as printed on 结婚证

    def face(holder: Person, spouse: Person) -> dict[str, Any]:
        return {
            "registration_no": number,
            "holder_name": holder.name,
            "holder_id_number": holder.id_number,
            "spouse_name": spouse.name,
            "spouse_id_number": spouse.id_number,
            "registered_on": case.day.isoformat(),
            "registration_authority": case.issuer.name,
        }

    a, b = people
    # 《婚姻登记条例》第四条: registered where either party's household is; both certificates
    # come from that organ.
    local = next(
        (p.address_code for p in people if p.address_code.startswith(case.region[:4])), None
    )
    plan.pending = [
        Pending(a.id_number, parties[0], face(a, b), local),
        Pending(b.id_number, parties[1], face(b, a), local),
    ]
    plan.write = lambda: register_marriage(
        case.session, a.id_number, b.id_number, number=number, division=case.region, on=case.day
    )
    record = {"registration_no": number, "party_a": a.id_number, "party_b": b.id_number}
    plan.acts = [(MARRIAGE_REGISTERED, {**record, "registered_on": case.day.isoformat()})]


def _elderly_card(case: Case, plan: ResultPlan) -> None:
    party = case.party(APPLICANT)
    person = case.person(party)
    face = {
        "name": person.name,
        "sex": SEX_ZH[person.sex],
        "id_number": person.id_number,
        "birth_date": person.birth_date.isoformat(),
        "address": case.household(person).address,
        "card_no": f"{person.address_code}-{case.day.year}-{case.serial}",
        "issuing_authority": case.issuer.name,
    }
    plan.pending = [Pending(person.id_number, party, face)]


def _business_licence(case: Case, plan: ResultPlan) -> None:
    form = case.form()
    missing = [name for name in _FORM_REQUIRED[BUSINESS_LICENCE] if not form.get(name)]
    if missing:
        raise ResultNotIssuable(
            f"缺少新设企业的登记信息：{'、'.join(missing)}；请先填写申请信息"
            f"（the new firm's {', '.join(missing)} must be given first）",
            field=f"form.{missing[0]}",
        )
    roles = {p.role for p in case.app.parties}
    party = case.party(REPRESENTATIVE if REPRESENTATIVE in roles else APPLICANT)
    rep = case.person(party)
    taken = case.session.scalar(
        select(Firm.uscc).where(Firm.name == form["name"], Firm.status == FirmStatus.ACTIVE)
    )
    if taken is not None:
        raise ResultNotIssuable(
            f"企业名称「{form['name']}」已被登记（{taken}），请更换名称"
            "（the name is already registered）",
            field="form.name",
        )
    entity = LICENCE_ENTITY_TYPES[form["entity_type"]]
    uscc = new_uscc(case.session, entity, case.region)
    face = _licence_face(form, uscc=uscc, rep=rep.name, authority=case.issuer.name, day=case.day)
    face = {k: v for k, v in face.items() if v is not None}
    plan.pending = [Pending(uscc, party, face, case.region, new_holder=True)]
    plan.write = lambda: register_firm(
        case.session,
        uscc=uscc,
        name=form["name"],
        entity_type=entity,
        division=case.region,
        representative=rep.id_number,
        on=case.day,
    )
    firm = {"uscc": uscc, "name": form["name"], "entity_type": entity.value}
    plan.acts = [
        (
            FIRM_REGISTERED,
            {
                **firm,
                "legal_rep_id": rep.id_number,
                "division": case.region,
                "established_on": case.day.isoformat(),
            },
        )
    ]


def _birthplace(person: Person, home: Household) -> str:
    # The register keeps no place of birth; GB 11643 §5.2 codes where the person was first
    # registered (常住户口所在县), which the household register prints for one born there.
    for code in (person.id_number[:6], home.division_code):
        division = lookup_division(code)
        if division is not None:
            return division.full_name
    return home.address


def _household_register(case: Case, plan: ResultPlan) -> None:
    party = case.party(APPLICANT)
    person = case.person(party)
    host = case.person(case.party(HOST))
    home = case.household(host)
    head = case.session.get(Person, home.head_id_number)
    face = {
        "household_no": home.household_no,
        "household_type": _HOUSEHOLD_TYPE,
        "head_name": head.name if head is not None else host.name,
        "name": person.name,
        "relation_to_head": case.form().get("relation_to_head", _OTHER_RELATION),
        "sex": SEX_ZH[person.sex],
        "birth_date": person.birth_date.isoformat(),
        "birthplace": _birthplace(person, home),
        "id_number": person.id_number,
        "address": home.address,
    }
    # The entry is made where the household is (the applicant moves there).
    plan.pending = [Pending(person.id_number, party, face, home.division_code)]
    plan.write = lambda: move_into_household(case.session, person, home)
    moved = {"id_number": person.id_number, "household_no": home.household_no}
    plan.acts = [(HOUSEHOLD_MOVED, moved)]


PLANNERS: dict[str, Callable[[Case, ResultPlan], None]] = {
    MARRIAGE_CERTIFICATE: _marriage,
    ELDERLY_CARD: _elderly_card,
    BUSINESS_LICENCE: _business_licence,
    HOUSEHOLD_REGISTER: _household_register,
}
