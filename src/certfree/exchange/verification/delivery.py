"""Moving department verification messages between nodes, and receiving them.

Each side of a request owes its peer at most one message at a time (``delivery = queued``):

=============  ==========================  =================================  ===============
side           state                       message                            to
=============  ==========================  =================================  ===============
outbox         pending                     ``verification.request``           the department
outbox         withdrawn                   ``verification.withdraw``          the department
inbox          answered                    ``verification.answer``            the consumer
=============  ==========================  =================================  ===============

The state change is committed first, then the message is sent (so a crash between the two
leaves it queued, never lost), then the acknowledgement is committed as ``delivered``. When the
peer signs a refusal (a field it will not accept, a reused id) the row becomes ``refused``
with the reason: resending the same message cannot help; the desk withdraws or asks anew.
When the peer is unreachable the row stays queued with the error and the attempt count.
Nothing runs in the background: ``certfree exchange deliver-pending`` (or ``POST
/api/v1/dept-verifications/deliver-pending``) sends everything still queued, e.g. from cron.
Receivers are idempotent by request id, and every attempt is a fresh message (a new id and
timestamp), so a retry after a lost acknowledgement is harmless.

The one call that leaves the node is a :class:`Sender`; :func:`transport_sender` binds it to
the exchange transport, tests may bind it to anything that delivers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from certfree.errors import CertfreeError
from certfree.exchange.errors import ProviderRefused
from certfree.exchange.protocol import transport
from certfree.exchange.protocol.runtime import ExchangeRuntime
from certfree.exchange.verification import requests as domain
from certfree.exchange.verification.models import (
    DeliveryState,
    DeptVerification,
    VerificationSide,
    VerificationStatus,
)
from certfree.storage import Database, utcnow

__all__ = [
    "ANSWER",
    "REQUEST",
    "WITHDRAW",
    "Delivery",
    "Sender",
    "change_and_deliver",
    "deliver",
    "deliver_pending",
    "handle_answer",
    "handle_request",
    "handle_withdrawal",
    "handlers",
    "outgoing",
    "transport_sender",
]

REQUEST = "verification.request"
ANSWER = "verification.answer"
WITHDRAW = "verification.withdraw"


class Sender(Protocol):
    """Send one message to node ``to`` and return the body of its signed acknowledgement.

    Raises a CertfreeError when the peer is unreachable or refuses (the exchange transport
    raises ProviderUnavailable, MessageRefused or a ProviderRefused subclass).
    """

    async def __call__(self, *, to: str, type: str, body: dict[str, Any]) -> Mapping[str, Any]: ...


def transport_sender(runtime: ExchangeRuntime) -> Sender:
    """A Sender over the node's exchange runtime (signed, routed through the cascade, audited)."""

    async def send(*, to: str, type: str, body: dict[str, Any]) -> Mapping[str, Any]:
        reply = await transport.send(runtime, to=to, type=type, body=body)
        return reply.body

    return send


@dataclass(frozen=True, slots=True)
class Outgoing:
    request_id: str
    side: VerificationSide
    to: str
    type: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one delivery attempt did: ``delivered`` or not, and the error if not."""

    request_id: str
    side: VerificationSide
    type: str
    to: str
    delivered: bool
    error: str | None = None


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def outgoing(row: DeptVerification) -> Outgoing | None:
    """The message ``row`` owes its peer, or None."""
    if row.delivery is not DeliveryState.QUEUED:
        return None
    if row.side is VerificationSide.INBOX:
        assert row.outcome is not None
        body: dict[str, Any] = {
            "request_id": row.request_id,
            "outcome": row.outcome.value,
            "note": row.note,
            "answered_by": row.answered_by,
            "answered_at": _iso(row.answered_at),
        }
        return Outgoing(row.request_id, row.side, row.consumer_code, ANSWER, body)
    if row.status is VerificationStatus.WITHDRAWN:
        body = {
            "request_id": row.request_id,
            "withdrawn_by": row.withdrawn_by,
            "withdrawn_at": _iso(row.withdrawn_at),
        }
        return Outgoing(row.request_id, row.side, row.department_code, WITHDRAW, body)
    body = {
        "request_id": row.request_id,
        "subject_id": row.subject_id,
        "fact": row.fact,
        "supporting": dict(row.supporting),
        "service_item": row.service_item,
        "purpose": row.purpose,
        "requested_by": row.requested_by,
        "requested_at": _iso(row.requested_at),
        "deadline": _iso(row.deadline),
    }
    return Outgoing(row.request_id, row.side, row.department_code, REQUEST, body)


def _settle(
    db: Database, message: Outgoing, error: str | None, refused: bool, now: dt.datetime
) -> None:
    with db.session() as session:
        row = domain.find_request(session, message.request_id, message.side)
        # Only if nothing changed meanwhile (e.g. a withdrawal queued while the request flew).
        if row is None or outgoing(row) != message:
            return
        row.delivery_attempts += 1
        row.last_attempt_at = now
        row.last_delivery_error = error
        if error is None:
            row.delivery = DeliveryState.DELIVERED
        elif refused:
            row.delivery = DeliveryState.REFUSED


async def deliver(
    db: Database,
    sender: Sender,
    request_id: str,
    side: VerificationSide,
    *,
    now: Callable[[], dt.datetime] = utcnow,
) -> Delivery | None:
    """Send the message one side of a request owes, and record the result; None if none owed.

    Never raises for an unreachable or refusing peer: the row stays queued with the error.
    """

    def _read() -> Outgoing | None:
        with db.session() as session:
            row = domain.find_request(session, request_id, side)
            return outgoing(row) if row is not None else None

    message = await asyncio.to_thread(_read)
    if message is None:
        return None
    error: str | None = None
    refused = False
    try:
        ack = await sender(to=message.to, type=message.type, body=message.body)
        if ack.get("request_id") != message.request_id:
            error = f"对方确认的请求编号 {ack.get('request_id')!r} 与 {message.request_id} 不符"
    except ProviderRefused as exc:
        # The peer's handler refused (its signed refusal): the same message would be again.
        error, refused = str(exc), True
    except CertfreeError as exc:
        error = str(exc)
    await asyncio.to_thread(_settle, db, message, error, refused, now())
    return Delivery(message.request_id, side, message.type, message.to, error is None, error)


async def change_and_deliver(
    db: Database, sender: Sender, change: Callable[[Session], DeptVerification]
) -> DeptVerification:
    """Commit ``change`` to one request, then send the message that side now owes its peer.

    The change is committed first, so a peer that is down leaves the message queued (for
    ``deliver-pending``). Returns the request as it stands after the attempt.
    """

    def commit() -> tuple[str, VerificationSide]:
        with db.session() as session:
            row = change(session)
            return row.request_id, row.side

    def reread(request_id: str, side: VerificationSide) -> DeptVerification:
        with db.session() as session:
            row = domain.find_request(session, request_id, side)
            assert row is not None  # committed above; requests are never deleted
            return row

    request_id, side = await asyncio.to_thread(commit)
    await deliver(db, sender, request_id, side)
    return await asyncio.to_thread(reread, request_id, side)


async def deliver_pending(
    db: Database,
    sender: Sender,
    *,
    node: str,
    limit: int = 100,
    now: Callable[[], dt.datetime] = utcnow,
) -> list[Delivery]:
    """Send every message ``node`` still owes (oldest attempt first), one after the other."""

    def _queued() -> list[tuple[str, VerificationSide]]:
        mine = or_(
            and_(
                DeptVerification.side == VerificationSide.OUTBOX,
                DeptVerification.consumer_code == node,
            ),
            and_(
                DeptVerification.side == VerificationSide.INBOX,
                DeptVerification.department_code == node,
            ),
        )
        with db.session() as session:
            rows = session.execute(
                select(DeptVerification.request_id, DeptVerification.side)
                .where(DeptVerification.delivery == DeliveryState.QUEUED, mine)
                .order_by(DeptVerification.last_attempt_at.nulls_first(), DeptVerification.id)
                .limit(limit)
            )
            return [(request_id, side) for request_id, side in rows]

    results = []
    for request_id, side in await asyncio.to_thread(_queued):
        result = await deliver(db, sender, request_id, side, now=now)
        if result is not None:
            results.append(result)
    return results


# --- Receiving: handlers the exchange dispatches to (sync, one session each) -------------


class HandlerContextLike(Protocol):
    @property
    def session(self) -> Session: ...

    @property
    def node_code(self) -> str: ...


class MessageLike(Protocol):
    @property
    def sender(self) -> str: ...

    @property
    def body(self) -> Mapping[str, Any]: ...

    @property
    def raw(self) -> str: ...


def _ack(row: DeptVerification | None, request_id: object) -> dict[str, Any]:
    return {
        "request_id": row.request_id if row is not None else str(request_id),
        "status": row.status.value if row is not None else None,
        "received_at": utcnow().isoformat(),
    }


def handle_request(ctx: HandlerContextLike, message: MessageLike) -> dict[str, Any]:
    """``verification.request`` at the department: store it in the inbox, acknowledge."""
    row = domain.record_incoming(
        ctx.session,
        message.body,
        consumer=message.sender,
        department=ctx.node_code,
        received_jws=message.raw,
    )
    return _ack(row, row.request_id)


def handle_answer(ctx: HandlerContextLike, message: MessageLike) -> dict[str, Any]:
    """``verification.answer`` at the consumer: store the answer in the outbox, acknowledge."""
    row = domain.record_answer(
        ctx.session,
        message.body,
        consumer=ctx.node_code,
        department=message.sender,
        received_jws=message.raw,
    )
    return _ack(row, row.request_id)


def handle_withdrawal(ctx: HandlerContextLike, message: MessageLike) -> dict[str, Any]:
    """``verification.withdraw`` at the department: close the inbox copy, acknowledge."""
    row = domain.record_withdrawal(
        ctx.session, message.body, consumer=message.sender, department=ctx.node_code
    )
    return _ack(row, message.body.get("request_id"))


def handlers() -> dict[str, Callable[[Any, Any], dict[str, Any]]]:
    """Message type → handler, for the exchange's ``register_handler``."""
    return {REQUEST: handle_request, ANSWER: handle_answer, WITHDRAW: handle_withdrawal}
