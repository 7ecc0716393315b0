"""Starting an application and finding it again: the case, its parties and its plan.

Starting resolves the service item's routes for the applicant and the co-parties (each
requirement about the party it names) and makes one evidence slot per requirement, with the
way the resolver chose and the pieces of evidence of the chosen alternative. A cancelled proof
is met at once (清单之外无证明: nothing to ask for); a paper proof is marked as still required.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certfree import procedures
from certfree.applications.errors import ApplicationNotFound, PartyMissing, WrongState
from certfree.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationParty,
    EvidenceSlot,
)
from certfree.applications.vocab import Action, AppState, SlotStatus
from certfree.errors import InvalidInput
from certfree.proofs import Way
from certfree.storage import utcnow
from certfree.workdays import beijing_today

__all__ = [
    "add_party",
    "check_roles",
    "find_service_item",
    "get_application",
    "locked_application",
    "log_event",
    "new_application_id",
    "parse_parties",
    "plan_again",
    "plan_slots",
    "start_application",
]

# Party roles a service item may name (procedures' PartyRole values).
# Where no time limit is set, a licence is decided within twenty days of acceptance
# (《中华人民共和国行政许可法》第四十二条第一款).
DEFAULT_PROMISED_DAYS = 20
APPLICANT = "applicant"


def new_application_id(now: dt.datetime) -> str:
    """``YYYYMMDD-XXXXXXXX``: the Beijing day of starting and 40 random bits (base32)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a counter
    tail = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{beijing_today(now):%Y%m%d}-{tail}"


def find_service_item(session: Session, service: str) -> procedures.ServiceItem:
    """The service item by its code or its exact name (ServiceItemNotFound otherwise; a name
    that several items share asks for the code)."""
    text = service.strip()
    item = session.get(procedures.ServiceItem, text)
    if item is not None:
        return item
    named = session.scalars(
        select(procedures.ServiceItem).where(procedures.ServiceItem.name == text).limit(2)
    ).all()
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise InvalidInput(
            f"有多个名为「{text}」的服务事项，请用事项编码"
            f"（several service items have this name; give the code）",
            field="service",
        )
    raise procedures.ServiceItemNotFound(text)


def parse_parties(pairs: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    """``ROLE=ID`` pairs (or a role → ID mapping) as a mapping; InvalidInput names a bad one."""
    items = pairs.items() if isinstance(pairs, Mapping) else (_pair(p) for p in pairs)
    parties: dict[str, str] = {}
    for role, subject in items:
        try:
            procedures.PartyRole(role)
        except ValueError:
            known = "、".join(r.value for r in procedures.PartyRole if r.value != APPLICANT)
            raise InvalidInput(
                f"未知的当事人角色 {role!r}（可选：{known}；unknown party role）", field="parties"
            ) from None
        if role == APPLICANT:
            raise InvalidInput(
                "申请人由 applicant 给出，不在当事人中（the applicant is given separately）",
                field="parties",
            )
        if role in parties:
            raise InvalidInput(f"当事人角色 {role} 重复（each role once）", field=f"parties.{role}")
        # The problem names the party's own field (parties.spouse), not the applicant's.
        parties[role] = procedures.parse_subject(
            subject, field=f"parties.{role}", who=procedures.PartyRole(role).label_zh
        ).identifier
    return parties


def _pair(text: str) -> tuple[str, str]:
    role, sep, subject = text.partition("=")
    if not sep or not role.strip() or not subject.strip():
        raise InvalidInput(
            f"当事人应写作 角色=证件号码，收到「{text}」（write ROLE=ID）", field="parties"
        )
    return role.strip(), subject.strip()


def log_event(
    app: Application,
    *,
    actor: str,
    action: Action,
    to_state: AppState | None = None,
    reason: str | None = None,
    detail: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> ApplicationEvent:
    """Record one act on ``app`` (and its new state, if it changes)."""
    moment = now or utcnow()
    event = ApplicationEvent(
        at=moment,
        actor=actor,
        action=action.value,
        from_state=app.state.value if to_state is not None else None,
        to_state=(to_state or app.state).value,
        reason=reason,
        detail=dict(detail or {}),
    )
    app.events.append(event)
    if to_state is not None:
        app.state = to_state
    app.updated_at = moment
    return event


def paper_organs(session: Session, code: str) -> list[str | None]:
    """Per requirement of item ``code``, the organ whose paper proof it stands for: the
    issuing department of a proof item it lists, else of its certificate or question."""
    organs: list[str | None] = []
    for requirement in procedures.requirements_of(session, code).requirements:
        evidences = [e for alternative in requirement.alternatives for e in alternative]
        paper = [e.issuing_department for e in evidences if e.kind.value == "proof_item"]
        organs.append(
            next((d for d in paper or [e.issuing_department for e in evidences] if d), None)
        )
    return organs


def plan_slots(
    session: Session, report: procedures.RouteReport, item: procedures.ServiceItem
) -> list[EvidenceSlot]:
    """One slot per requirement of ``report`` (on ``item``), with the chosen alternative's
    evidence and, for each piece, the item's parameters and expected answer."""
    organs = paper_organs(session, item.code)
    slots = []
    for position, route in enumerate(report.requirements):
        parts: list[dict[str, Any]] = []
        if route.chosen_alternative is not None:
            chosen = route.alternatives[route.chosen_alternative]
            stored = _alternatives(item.requirements[position].evidences)[route.chosen_alternative]
            parts = [
                _part(evidence, row) for evidence, row in zip(chosen.evidences, stored, strict=True)
            ]
        slots.append(
            EvidenceSlot(
                position=position,
                requirement=route.description,
                party=route.party,
                subject_id=route.subject,
                way=route.way,
                alternative=route.chosen_alternative,
                status=_status(route.way, parts),
                parts=parts,
                explanation_zh=route.explanation_zh,
                explanation_en=route.explanation_en,
                paper_organ=organs[position] if position < len(organs) else None,
            )
        )
    return slots


def _alternatives(
    evidences: Sequence[procedures.ServiceEvidence],
) -> list[list[procedures.ServiceEvidence]]:
    groups: dict[int, list[procedures.ServiceEvidence]] = {}
    for evidence in evidences:
        groups.setdefault(evidence.alternative, []).append(evidence)
    return [groups[key] for key in sorted(groups)]


def _part(evidence: procedures.EvidenceRoute, row: procedures.ServiceEvidence) -> dict[str, Any]:
    step = next((s for s in evidence.steps if s.available), None)
    part: dict[str, Any] = {
        "kind": evidence.kind.value,
        "ref": evidence.ref,
        "name": evidence.name,
        "parameters": dict(row.parameters or {}),
        # The answer that establishes the requirement (the item's, field → allowed values).
        "expect": {key: list(values) for key, values in (row.expect or {}).items()},
        "way": evidence.way.value if evidence.way else None,
        "node": step.node_code if step else None,
        "reason": step.reason if step else None,
        # What will be asked (data sharing) or shown (e-certificate), as the plan has it.
        "question": step.question if step else None,
        "args": dict(step.args or {}) if step else {},
        "certificate_type": step.certificate_type if step else None,
        "status": SlotStatus.PLANNED.value,
        "proof": None,
    }
    if evidence.way is Way.CANCELLED and step is not None:
        part["status"] = SlotStatus.MET.value
        part["proof"] = {"basis": step.reason, "text_zh": step.text_zh}
    elif evidence.way is Way.PAPER:
        part["status"] = SlotStatus.PAPER_REQUIRED.value
    return part


def _status(way: Way | None, parts: Sequence[Mapping[str, Any]]) -> SlotStatus:
    if way is None:
        return SlotStatus.UNMET
    statuses = {SlotStatus(p["status"]) for p in parts}
    if statuses == {SlotStatus.MET}:
        return SlotStatus.MET
    if SlotStatus.PAPER_REQUIRED in statuses:
        return SlotStatus.PAPER_REQUIRED
    return SlotStatus.PLANNED


def check_roles(
    item: procedures.ServiceItem, roles: Iterable[str], *, field: str, complete: bool
) -> None:
    """The co-party ``roles`` are ones the service item's requirements name (else
    InvalidInput on ``field``: a stranger added would see the whole case) and, if
    ``complete``, all of them (else PartyMissing)."""
    given = set(roles)
    needed = {r.party for r in item.requirements} - {APPLICANT}
    missing = sorted(needed - given)
    if complete and missing:
        labels = "、".join(procedures.PartyRole(role).label_zh for role in missing)
        raise PartyMissing(
            f"「{item.name}」需要当事人：{labels}；请用 --party {missing[0]}=证件号码 给出"
            f"（the service needs the party {', '.join(missing)}）",
            field=field,
        )
    extra = sorted(given - needed)
    if extra:
        raise InvalidInput(
            f"「{item.name}」的申请条件不涉及当事人 {', '.join(extra)}"
            f"（the service's requirements name no such party）",
            field=field,
        )


def start_application(
    session: Session,
    *,
    service: str,
    applicant: str,
    parties: Mapping[str, str],
    node_code: str,
    actor: str,
    facts: procedures.FactSource,
    holdings: procedures.CertificateHoldings,
    now: dt.datetime | None = None,
) -> Application:
    """A new draft application with its plan (PartyMissing if a requirement names a party
    not given; procedures' errors for an unknown item or a malformed identifier)."""
    moment = now or utcnow()
    item = find_service_item(session, service)
    subject = procedures.parse_subject(applicant)
    check_roles(item, parties, field="parties", complete=True)
    everyone = [subject.identifier, *parties.values()]
    if len(set(everyone)) != len(everyone):
        raise InvalidInput(
            "各当事人的证件号码不能相同（every party is a different person）", field="parties"
        )
    report = procedures.resolve_routes(
        session, item.code, subject.identifier, parties=parties, facts=facts, holdings=holdings
    )
    app = Application(
        id=new_application_id(moment),
        service_code=item.code,
        service_name=item.name,
        node_code=node_code,
        applicant_id=subject.identifier,
        state=AppState.DRAFT,
        promised_days=item.promised_days
        if item.promised_days is not None
        else DEFAULT_PROMISED_DAYS,
        issued=[],
        created_by=actor,
        created_at=moment,
        updated_at=moment,
    )
    app.parties = [ApplicationParty(role=APPLICANT, subject_id=subject.identifier)] + [
        ApplicationParty(role=role, subject_id=who) for role, who in parties.items()
    ]
    app.slots = plan_slots(session, report, item)
    log_event(app, actor=actor, action=Action.START, now=moment)
    session.add(app)
    session.flush()
    return app


def add_party(
    session: Session,
    app: Application,
    *,
    role: str,
    subject: str,
    actor: str,
    facts: procedures.FactSource,
    holdings: procedures.CertificateHoldings,
    now: dt.datetime | None = None,
) -> None:
    """Add a co-party to a draft and plan it again (before any evidence was recorded)."""
    if app.state is not AppState.DRAFT:
        raise WrongState(
            f"办件 {app.id} 已提交，不能再添加当事人（parties are added to drafts only）",
            field="state",
        )
    if _recorded(app):
        raise WrongState(
            "办件已记录核验材料，请撤回后重新申请（evidence is recorded: start again）",
            field="state",
        )
    current = {p.role: p.subject_id for p in app.parties if p.role != APPLICANT}
    added = parse_parties({role: subject})
    if role in current:
        raise InvalidInput(f"当事人角色 {role} 已有（the role is taken）", field="role")
    parties = {**current, **added}
    if added[role] in {p.subject_id for p in app.parties}:
        raise InvalidInput("该当事人已在办件中（already a party）", field="id")
    item = find_service_item(session, app.service_code)
    check_roles(item, [role], field="role", complete=False)
    report = procedures.resolve_routes(
        session, item.code, app.applicant_id, parties=parties, facts=facts, holdings=holdings
    )
    app.parties.append(ApplicationParty(role=role, subject_id=added[role]))
    app.slots.clear()
    session.flush()  # the old slots go before the new ones take their positions
    app.slots = plan_slots(session, report, item)
    log_event(app, actor=actor, action=Action.ADD_PARTY, detail={"role": role}, now=now)


def _recorded(app: Application) -> bool:
    return any(
        p.get("proof") and p["way"] != Way.CANCELLED.value for s in app.slots for p in s.parts
    )


def plan_again(
    session: Session,
    app: Application,
    *,
    facts: procedures.FactSource,
    holdings: procedures.CertificateHoldings,
) -> bool:
    """Plan a draft again on these sources (a co-party joined: their wallet may now be looked
    into) while no evidence is recorded; whether it was planned again."""
    if app.state is not AppState.DRAFT or _recorded(app):
        return False
    item = find_service_item(session, app.service_code)
    parties = {p.role: p.subject_id for p in app.parties if p.role != APPLICANT}
    report = procedures.resolve_routes(
        session, item.code, app.applicant_id, parties=parties, facts=facts, holdings=holdings
    )
    app.slots.clear()
    session.flush()  # the old slots go before the new ones take their positions
    app.slots = plan_slots(session, report, item)
    return True


def get_application(session: Session, app_id: str) -> Application:
    found = session.get(Application, app_id.strip().upper())
    if found is None:
        raise ApplicationNotFound(f"没有编号为 {app_id} 的办件（no such application）", field="id")
    return found


def locked_application(session: Session, app_id: str) -> Application:
    """The application, its row locked for the rest of the transaction (one act at a time)."""
    found = session.scalars(
        select(Application)
        .where(Application.id == app_id.strip().upper())
        .with_for_update()
        .execution_options(populate_existing=True)  # fresh, if read unlocked before
    ).first()
    if found is None:
        raise ApplicationNotFound(f"没有编号为 {app_id} 的办件（no such application）", field="id")
    return found


def count_applications(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Application)) or 0
