"""Department verification (部门核验) as a way of an application's plan.

Where no question covers a proof, the window asks the department that used to issue it
(《国务院办公厅关于做好证明事项清理工作的通知》: 由窗口向原开具部门核验, the applicant brings
nothing). For each planned part whose way is ``department_verification`` the node sends a
request through :mod:`certfree.exchange.verification.requests` to the department node of the proof
item's issuing department kind in the service item's region (370100-GA for a 济南 item whose
proof 派出所 used to issue): the fact is the requirement about the party, the purpose names
the application, ``supporting`` carries its id. The part then waits with the request's id.

Each run (and each showing of the application) reads the requests back: ``confirmed`` meets
the part, ``not_confirmed`` fails it, ``cannot_determine`` fails it with the department's
note; a request past its deadline keeps waiting and is marked overdue, so the desk sees it.
A part whose department cannot be named stays planned, with a note saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from certfree import procedures, proofs
from certfree.applications.cases import find_service_item
from certfree.applications.evidence import record_department_outcome, record_department_request
from certfree.applications.models import Application, EvidenceSlot
from certfree.applications.vocab import EVIDENCE_STATES, SlotStatus
from certfree.exchange.verification import requests as verification
from certfree.exchange.verification.delivery import Delivery, deliver, transport_sender
from certfree.exchange.verification.fields import MAX_FACT
from certfree.exchange.verification.requests import VerificationOutcome, VerificationSide
from certfree.nodes import DepartmentKind, node_code
from certfree.proofs import Way
from certfree.storage import utcnow

if TYPE_CHECKING:
    from certfree.exchange.protocol.runtime import ExchangeRuntime

__all__ = [
    "deliver_requests",
    "department_for",
    "request_department_verifications",
    "service_region",
    "sync_department_verifications",
    "waiting_requests",
]

_WAY = Way.DEPARTMENT_VERIFICATION.value


def service_region(session: Session, app: Application) -> str:
    """The service item's GB/T 2260 region (its 6-digit division), else the accepting node's."""
    try:
        item = find_service_item(session, app.service_code)
    except procedures.ServiceItemNotFound:
        item = None
    for code in (item.division_code if item else None, item.node_code if item else None):
        if code and code[:6].isdigit():
            return code[:6]
    return app.node_code.split("-", 1)[0]


def department_for(session: Session, app: Application, proof_code: str) -> str | None:
    """The department node that verifies ``proof_code`` for ``app``: the kind of the proof
    item's issuing department (as the list records it, else as its name says: 公安 …) in the
    service item's region; None when the list names no kind we can map."""
    try:
        item = proofs.get_item(session, proof_code)
    except proofs.ProofItemNotFound:
        return None
    kind = item.department_kind or next(
        (k for k in DepartmentKind if k.name_zh in item.issuing_department), None
    )
    return node_code(service_region(session, app), kind) if kind is not None else None


def _set(slot: EvidenceSlot, index: int, **changes: Any) -> None:
    """Note on a part without changing its status (no event: nothing was established)."""
    parts = [dict(p) for p in slot.parts]
    if all(parts[index].get(k) == v for k, v in changes.items()):
        return
    parts[index] = {**parts[index], **changes}
    slot.parts = parts


def _fact(slot: EvidenceSlot, part: Mapping[str, Any]) -> str:
    """The requirement about the party, in the words of the list (the subject travels apart)."""
    role = procedures.PartyRole(slot.party).label_zh
    return f"{role}：{slot.requirement}（原需提交「{part['name']}」）"[:MAX_FACT]


def request_department_verifications(
    session: Session,
    app: Application,
    *,
    consumer: str,
    actor: str,
    now: dt.datetime | None = None,
) -> list[str]:
    """Create and record a request for every planned department-verification part of
    ``app`` (module docstring); returns the new request ids, queued for delivery."""
    if app.state not in EVIDENCE_STATES:
        return []
    moment = now or utcnow()
    created: list[str] = []
    for slot in app.slots:
        for index, part in enumerate(slot.parts):
            if part["way"] != _WAY or part["status"] != SlotStatus.PLANNED.value:
                continue
            department = department_for(session, app, part["ref"])
            if department is None or slot.subject_id is None:
                _set(
                    slot,
                    index,
                    error=f"无法确定「{part['name']}」的原开具部门节点，请窗口人工核验"
                    "（the proof's issuing department maps to no department node）",
                    error_at=moment.isoformat(),
                )
                continue
            row = verification.create_request(
                session,
                consumer=consumer,
                department=department,
                subject_id=slot.subject_id,
                fact=_fact(slot, part),
                service_item=app.service_code,
                purpose=f"办理「{app.service_name}」（办件 {app.id}）",
                requested_by=actor,
                supporting={"application": app.id},
                now=moment,
            )
            record_department_request(
                app,
                slot,
                index,
                request_id=row.request_id,
                department=department,
                actor=actor,
                now=moment,
            )
            created.append(row.request_id)
    return created


def sync_department_verifications(
    session: Session, app: Application, *, actor: str | None = None, now: dt.datetime | None = None
) -> None:
    """Bring ``app``'s waiting department-verification parts up to date from their requests:
    an answer meets or fails the part; a pending request past its deadline is marked overdue."""
    if app.state not in EVIDENCE_STATES:
        return
    moment = now or utcnow()
    who = actor or f"node:{app.node_code}"
    for slot in app.slots:
        for index, part in enumerate(slot.parts):
            proof = part.get("proof") or {}
            if part["way"] != _WAY or part["status"] != SlotStatus.WAITING.value:
                continue
            if "request_id" not in proof:
                continue
            row = verification.find_request(session, proof["request_id"], VerificationSide.OUTBOX)
            if row is None:
                continue
            status = verification.effective_status(row, moment)
            if status is verification.VerificationStatus.ANSWERED:
                assert row.outcome is not None
                record_department_outcome(
                    app,
                    slot,
                    index,
                    outcome=row.outcome.value,
                    confirmed=row.outcome is VerificationOutcome.CONFIRMED,
                    actor=who,
                    now=moment,
                )
                _set(slot, index, proof={**slot.parts[index]["proof"], **_answer(row)})
            elif status is verification.VerificationStatus.WITHDRAWN:
                record_department_outcome(
                    app, slot, index, outcome="withdrawn", confirmed=False, actor=who, now=moment
                )
            else:
                _set(
                    slot,
                    index,
                    proof={
                        **proof,
                        "deadline": row.deadline.isoformat(),
                        "overdue": status is verification.VerificationStatus.OVERDUE,
                        "delivery": row.delivery.value,
                        "delivery_error": row.last_delivery_error,
                    },
                )


def _answer(row: verification.DeptVerification) -> dict[str, Any]:
    return {
        "note": row.note,
        "answered_by": row.answered_by,
        "answered_at": row.answered_at.isoformat() if row.answered_at else None,
        "overdue": False,
    }


def waiting_requests(app: Application) -> list[str]:
    """Ids of the department verifications ``app`` still waits on (delivery skips those
    already delivered)."""
    return [
        str(part["proof"]["request_id"])
        for slot in app.slots
        for part in slot.parts
        if part["way"] == _WAY
        and part["status"] == SlotStatus.WAITING.value
        and (part.get("proof") or {}).get("request_id")
    ]


async def deliver_requests(runtime: ExchangeRuntime, request_ids: Iterable[str]) -> list[Delivery]:
    """Send the new requests now, one after the other (a department that is down keeps the
    request queued for ``certfree exchange deliver-pending``)."""
    sender = transport_sender(runtime)
    results = []
    for request_id in request_ids:
        result = await deliver(runtime.db, sender, request_id, VerificationSide.OUTBOX)
        if result is not None:
            results.append(result)
    return results
