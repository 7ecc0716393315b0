"""Moving corrections between the citizen's node and the department node, and receiving them.

=============  ==========================  =================================  ===============
side           state                       message                            to
=============  ==========================  =================================  ===============
home           pending, delivery queued    ``correction.request``             the department
department     answered, delivery queued   ``correction.answer``              the citizen's node
=============  ==========================  =================================  ===============

As in department verification (``exchange.verification.delivery``), the state is committed
first, then the message is sent; an unreachable peer leaves the row ``queued`` with the error
for ``POST /api/v1/subject-requests/deliver-pending``; a signed refusal makes it ``refused``.
Receivers are idempotent by request id. The one call that leaves the node is a ``Sender``;
the API binds it to the exchange (raising :class:`PeerRefused` for a signed refusal).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from certfree.crypto import KeyStore
from certfree.errors import CertfreeError
from certfree.governance.subject_rights import corrections, messages
from certfree.governance.subject_rights.errors import PeerRefused
from certfree.governance.subject_rights.facts import FactStore
from certfree.governance.subject_rights.models import Delivery, RequestSide, SubjectRequest
from certfree.storage import Database

__all__ = [
    "ANSWER",
    "REQUEST",
    "Sender",
    "change_and_deliver",
    "deliver",
    "deliver_pending",
    "handlers",
    "with_local_answers",
]

REQUEST = "correction.request"
ANSWER = "correction.answer"


class Sender(Protocol):
    async def __call__(self, *, to: str, type: str, body: dict[str, Any]) -> Mapping[str, Any]: ...


def _outgoing(row: SubjectRequest) -> tuple[str, str, dict[str, Any]] | None:
    """(to, type, body) of the message ``row`` owes, or None."""
    if row.delivery is not Delivery.QUEUED:
        return None
    if row.side is RequestSide.HOME:
        return row.department_code, REQUEST, messages.request_body(row)
    return row.home_code, ANSWER, messages.answer_body(row)


async def deliver(db: Database, sender: Sender, request_id: str, side: RequestSide) -> str | None:
    """Send what one side owes; the error if it was not delivered (None when delivered or
    nothing was owed). Never raises for a peer that is down or refuses."""

    def read() -> tuple[str, str, dict[str, Any]] | None:
        with db.session() as session:
            row = corrections.find_request(session, request_id, side)
            return _outgoing(row) if row is not None else None

    owed = await asyncio.to_thread(read)
    if owed is None:
        return None
    to, type_, body = owed
    error: str | None = None
    refused = False
    try:
        ack = await sender(to=to, type=type_, body=body)
        if ack.get("request_id") != request_id:
            error = f"对方确认的请求编号 {ack.get('request_id')!r} 与 {request_id} 不符"
    except PeerRefused as exc:
        error, refused = str(exc), True
    except CertfreeError as exc:
        error = str(exc)

    def settle() -> None:
        with db.session() as session:
            row = corrections.find_request(session, request_id, side)
            if row is None or _outgoing(row) != owed:
                return  # changed meanwhile
            row.delivery_attempts += 1
            row.last_delivery_error = error
            if error is None:
                row.delivery = Delivery.DELIVERED
            elif refused:
                row.delivery = Delivery.REFUSED

    await asyncio.to_thread(settle)
    return error


async def change_and_deliver(
    db: Database, sender: Sender, change: Callable[[Session], SubjectRequest]
) -> SubjectRequest:
    """Commit ``change``, send the message it owes (or leave it queued), reread the row."""

    def commit() -> tuple[str, RequestSide]:
        with db.session() as session:
            row = change(session)
            return row.request_id, row.side

    request_id, side = await asyncio.to_thread(commit)
    await deliver(db, sender, request_id, side)

    def reread() -> SubjectRequest:
        with db.session() as session:
            row = corrections.find_request(session, request_id, side)
            assert row is not None
            session.expunge(row)
            return row

    return await asyncio.to_thread(reread)


async def deliver_pending(db: Database, sender: Sender, *, node: str) -> list[tuple[str, str]]:
    """Send every message ``node`` still owes; (request id, error or "") per attempt."""

    def queued() -> list[tuple[str, RequestSide]]:
        mine = or_(
            and_(SubjectRequest.side == RequestSide.HOME, SubjectRequest.home_code == node),
            and_(
                SubjectRequest.side == RequestSide.DEPARTMENT,
                SubjectRequest.department_code == node,
            ),
        )
        with db.session() as session:
            rows = session.execute(
                select(SubjectRequest.request_id, SubjectRequest.side)
                .where(SubjectRequest.delivery == Delivery.QUEUED, mine)
                .order_by(SubjectRequest.id)
                .limit(100)
            )
            return [(rid, side) for rid, side in rows]

    done = []
    for rid, side in await asyncio.to_thread(queued):
        done.append((rid, await deliver(db, sender, rid, side) or ""))
    return done


def with_local_answers(
    sender: Sender, *, db: Database, node: str, keys: KeyStore, base_url: str, store: FactStore
) -> Sender:
    """``sender``, except that an answer to ``node`` itself — a department this node hosts
    answering one of its own citizens — is recorded here, with no hop (the exchange sends no
    message to its own node)."""

    async def send(*, to: str, type: str, body: dict[str, Any]) -> Mapping[str, Any]:
        if to != node or type != ANSWER:
            return await sender(to=to, type=type, body=body)

        def here() -> dict[str, Any]:
            with db.session() as session:
                row = messages.record_answer(
                    session, body, home=node, department=node, received_jws="",
                    keys=keys, base_url=base_url, store=store,
                )  # fmt: skip
                return _ack(row)

        return await asyncio.to_thread(here)

    return send


# --- receiving: handlers the exchange dispatches to (sync, one session each) -------------


def _ack(row: SubjectRequest) -> dict[str, Any]:
    return {"request_id": row.request_id, "status": row.status.value}


def handlers(store: FactStore | None) -> dict[str, Callable[[Any, Any], dict[str, Any]]]:
    """Message type → handler for the exchange's ``register_handler``; ``store`` is this
    node's copy of the registers, written when an accepted answer arrives."""

    def on_request(ctx: Any, message: Any) -> dict[str, Any]:
        row = messages.record_incoming(
            ctx.session,
            message.body,
            home=message.sender,
            department=ctx.node_code,
            received_jws=message.raw,
        )
        return _ack(row)

    def on_answer(ctx: Any, message: Any) -> dict[str, Any]:
        keys: KeyStore = ctx.node.keys
        row = messages.record_answer(
            ctx.session,
            message.body,
            home=ctx.node_code,
            department=message.sender,
            received_jws=message.raw,
            keys=keys,
            base_url=ctx.node.settings.base_url,
            store=store,
        )
        return _ack(row)

    return {REQUEST: on_request, ANSWER: on_answer}
