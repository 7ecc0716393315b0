"""What an application looks like from outside: ``GET /api/v1/applications/{id}`` and
``certfree apply show --json`` give this same object.

Figures per application:

* ``proofs_not_demanded`` — requirements established without a paper proof, by the way that
  established them (data sharing, e-certificate, commitment, department verification,
  cancelled);
* ``trips_saved`` — the organs the parties did not have to visit: one trip per party and
  distinct issuing organ of the paper proofs those requirements would otherwise have needed
  (a citizen fetches two proofs from one police station in one trip; a spouse's trip to the
  same station is a trip of their own);
* ``seconds_to_decision`` — from submission to decision.

Who sees what: the parties and the accepting node's clerks see the whole case, except that
an issued certificate's SD-JWT (``issued[].credential``) is shown only to the party whose
wallet it is bound to; a department admin sees :class:`DepartmentView` — what is asked of
their node and nothing of the applicant, the decision or the figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from certfree import procedures
from certfree.applications.models import Application, EvidenceSlot
from certfree.applications.running import questions_of
from certfree.applications.vocab import CLOCK_STATES, Action, AppState, Decision, SlotStatus
from certfree.proofs import WAY_PREFERENCE, Way
from certfree.storage import utcnow
from certfree.workdays import beijing_today, due_estimated

__all__ = [
    "ApplicationView",
    "DecisionView",
    "DepartmentView",
    "EventView",
    "PartyView",
    "RequirementState",
    "application_view",
    "department_view",
    "is_overdue",
    "not_demanded",
    "trips_saved",
]


class PartyView(BaseModel):
    role: str
    role_zh: str
    role_en: str
    id: str
    questions: list[str] = Field(description="the questions the plan asks about this party")
    consented: bool
    consent_expires_at: dt.datetime | None
    wallet_key: bool = Field(description="a wallet key is registered for result certificates")


class RequirementState(BaseModel):
    position: int
    requirement: str
    party: str
    subject: str | None
    way: Way | None
    way_zh: str | None
    way_en: str | None
    status: SlotStatus
    status_zh: str
    status_en: str
    explanation_zh: str
    explanation_en: str
    parts: list[dict[str, Any]]
    proof: dict[str, Any] | None = Field(
        description="what established the requirement, by evidence ref; null until it is"
    )


class DecisionView(BaseModel):
    outcome: str
    outcome_zh: str
    outcome_en: str
    reason: str | None
    requirement: int | None
    decided_at: dt.datetime
    seal: str


class EventView(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    action_zh: str
    action_en: str
    from_state: str | None
    to_state: str
    reason: str | None
    detail: dict[str, Any]


class ApplicationView(BaseModel):
    id: str
    service_item: str
    service_name: str
    node: str
    applicant: str
    state: AppState
    state_zh: str
    state_en: str
    form: dict[str, Any] = Field(description="what the applicant stated for the result")
    parties: list[PartyView]
    requirements: list[RequirementState]
    evidence: list[RequirementState] = Field(description="the same list: how each was met")
    decision: Decision | None = Field(description="approved or refused, once decided")
    decision_record: DecisionView | None
    issued: list[dict[str, Any]] = Field(
        description="result certificates: type, holder, certificate id; the SD-JWT itself "
        "(credential) only to the party whose wallet it is bound to"
    )
    receipt: str | None
    promised_days: int
    due_on: dt.date | None
    due_estimated: bool = Field(
        description="the due day's year has no published holiday arrangement yet: counted "
        "Monday to Friday"
    )
    overdue: bool
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    seconds_to_decision: int | None
    proofs_not_demanded: int = Field(description="requirements met without a paper proof")
    proofs_not_demanded_by_way: dict[str, int]
    trips_saved: int
    events: list[EventView]


class DepartmentView(BaseModel):
    """An application as a department admin sees it: the requirements asked of their node."""

    id: str
    service_item: str
    service_name: str
    node: str
    state: AppState
    state_zh: str
    state_en: str
    requirements: list[RequirementState]


def _proof(slot: EvidenceSlot) -> dict[str, Any] | None:
    proofs = {p["ref"]: p["proof"] for p in slot.parts if p.get("proof")}
    return proofs or None


def _requirement(slot: EvidenceSlot) -> RequirementState:
    return RequirementState(
        position=slot.position,
        requirement=slot.requirement,
        party=slot.party,
        subject=slot.subject_id,
        way=slot.way,
        way_zh=slot.way.label_zh if slot.way else None,
        way_en=slot.way.label_en if slot.way else None,
        status=slot.status,
        status_zh=slot.status.label_zh,
        status_en=slot.status.label_en,
        explanation_zh=slot.explanation_zh,
        explanation_en=slot.explanation_en,
        parts=[dict(p) for p in slot.parts],
        proof=_proof(slot),
    )


def _paperless(slot: EvidenceSlot) -> bool:
    return slot.status is SlotStatus.MET and slot.way is not None and slot.way is not Way.PAPER


def not_demanded(app: Application) -> dict[str, int]:
    """Requirements met without a paper proof, counted by the way that met them."""
    by_way = {way.value: 0 for way in WAY_PREFERENCE if way is not Way.PAPER}
    for slot in app.slots:
        if _paperless(slot):
            assert slot.way is not None
            by_way[slot.way.value] += 1
    return by_way


def trips_saved(app: Application) -> int:
    """Distinct organs whose paper proof the applicant did not fetch (module docstring)."""
    return len(
        {(s.subject_id, s.paper_organ) for s in app.slots if _paperless(s) and s.paper_organ}
    )


def is_overdue(app: Application, now: dt.datetime | None = None) -> bool:
    return (
        app.state in CLOCK_STATES
        and app.due_on is not None
        and beijing_today(now or utcnow()) > app.due_on
    )


def _asked(app: Application) -> dict[str, list[str]]:
    asked: dict[str, set[str]] = {}
    for question in questions_of(app, everything=True):
        for subject in question.subjects:
            asked.setdefault(subject, set()).add(question.question)
    return {who: sorted(names) for who, names in asked.items()}


def department_view(app: Application, positions: set[int]) -> DepartmentView:
    """What a department admin is shown: the requirements at ``positions`` (those asked of
    their node, :func:`certfree.applications.access.addressed_to`)."""
    return DepartmentView(
        id=app.id,
        service_item=app.service_code,
        service_name=app.service_name,
        node=app.node_code,
        state=app.state,
        state_zh=app.state.label_zh,
        state_en=app.state.label_en,
        requirements=[_requirement(s) for s in app.slots if s.position in positions],
    )


def _issued(app: Application, viewer: str | None) -> list[dict[str, Any]]:
    roles = {p.role for p in app.parties if viewer is not None and p.subject_id == viewer}
    return [
        dict(entry)
        if entry.get("party") in roles
        else {k: v for k, v in entry.items() if k != "credential"}
        for entry in app.issued
    ]


def application_view(app: Application, *, viewer: str | None = None) -> ApplicationView:
    """The whole case; ``viewer`` (a party's ID number) also sees the credentials bound to
    their wallet (module docstring)."""
    states = [_requirement(slot) for slot in app.slots]
    asked = _asked(app)
    by_way = not_demanded(app)
    decision = None
    if app.decision is not None and app.decided_at is not None and app.decision_seal:
        decision = DecisionView(
            outcome=app.decision.value,
            outcome_zh=app.decision.label_zh,
            outcome_en=app.decision.label_en,
            reason=app.decision_reason,
            requirement=app.decision_requirement,
            decided_at=app.decided_at,
            seal=app.decision_seal,
        )
    elapsed = None
    if app.submitted_at is not None and app.decided_at is not None:
        elapsed = int((app.decided_at - app.submitted_at).total_seconds())
    return ApplicationView(
        id=app.id,
        service_item=app.service_code,
        service_name=app.service_name,
        node=app.node_code,
        applicant=app.applicant_id,
        state=app.state,
        state_zh=app.state.label_zh,
        state_en=app.state.label_en,
        form=dict(app.form or {}),
        parties=[
            PartyView(
                role=p.role,
                role_zh=procedures.PartyRole(p.role).label_zh,
                role_en=procedures.PartyRole(p.role).label_en,
                id=p.subject_id,
                questions=asked.get(p.subject_id, []),
                consented=p.consent is not None,
                consent_expires_at=p.consent_expires_at,
                wallet_key=p.holder_jwk is not None,
            )
            for p in app.parties
        ],
        requirements=states,
        evidence=states,
        decision=app.decision if decision is not None else None,
        decision_record=decision,
        issued=_issued(app, viewer),
        receipt=app.receipt_seal,
        promised_days=app.promised_days,
        due_on=app.due_on,
        due_estimated=app.due_on is not None and due_estimated(app.due_on),
        overdue=is_overdue(app),
        created_at=app.created_at,
        submitted_at=app.submitted_at,
        decided_at=app.decided_at,
        seconds_to_decision=elapsed,
        proofs_not_demanded=sum(by_way.values()),
        proofs_not_demanded_by_way=by_way,
        trips_saved=trips_saved(app),
        events=[
            EventView(
                at=e.at,
                actor=e.actor,
                action=e.action,
                action_zh=Action(e.action).label_zh,
                action_en=Action(e.action).label_en,
                from_state=e.from_state,
                to_state=e.to_state,
                reason=e.reason,
                detail=dict(e.detail),
            )
            for e in app.events
        ],
    )
