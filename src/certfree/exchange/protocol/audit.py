"""Where the exchange meets the audit log.

Every message a node sends or answers becomes an :class:`~certfree.governance.audit.AuditRecord`
committed by the node's AuditWriter: the consumer logs the request before sending it and the
answer on receipt; the provider logs the request on receipt and its answer before releasing it.
Both log the plaintext of what they sent or received (the body travels encrypted, see
``signing``); a node that only forwards a message logs nothing of it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, Protocol

from sqlalchemy.orm import Session

from certfree.crypto import b64url_decode
from certfree.errors import CertfreeError
from certfree.exchange.protocol.messages import MessageType, sealed_body
from certfree.exchange.protocol.signing import Message, message_sha256
from certfree.governance import AuditRecord, AuditWriter, append_records
from certfree.questions import get_question, list_questions
from certfree.storage import Database

__all__ = [
    "AuditSink",
    "ExchangeAudit",
    "Step",
    "append_exchange",
    "exchange_records",
    "open_writer",
    "record",
    "record_sync",
    "subject_ids",
    "warm_catalogue",
]


# Work done in the transaction that logs a record, before it: what it raises refuses the
# record (nothing of it is logged).
Step = Callable[[Session], None]


class AuditSink(Protocol):
    """What the exchange needs of an audit log (``governance.AuditWriter``)."""

    async def append(self, record: AuditRecord) -> int: ...

    def append_sync(self, record: AuditRecord) -> int: ...

    def submit_many(
        self, records: Sequence[AuditRecord], step: Callable[[Session], None] | None
    ) -> Future[list[int]]: ...

    def close(self) -> None: ...


def open_writer(db: Database, node_code: str) -> AuditSink:
    return AuditWriter(db, node_code)


class ExchangeAudit:
    """The node's audit sink, opened on first use (or given, e.g. by a test) and closed by
    ``close``; opened again if used after that."""

    def __init__(self, db: Database, node_code: str, sink: AuditSink | None = None) -> None:
        self._db = db
        self._code = node_code
        self._sink = sink

    @property
    def sink(self) -> AuditSink:
        if self._sink is None:
            self._sink = open_writer(self._db, self._code)
        return self._sink

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None


# (message type, event) → audit kind; events are "sent"/"received" for the request and
# "answer_sent"/"answer_received" for the signed reply.
_KINDS: dict[str, str] = {
    MessageType.VERIFICATION_REQUEST: "verification_request",
    MessageType.VERIFICATION_ANSWER: "verification_answer",
    MessageType.VERIFICATION_WITHDRAW: "verification_request",
}


def _kind(message: Message, event: str) -> str | None:
    prefix = _KINDS.get(message.type)
    if prefix is None:
        return {"sent": "request_sent", "received": "request_received"}.get(event, event)
    # A department verification's receipt is an ack; only the messages themselves are logged.
    return f"{prefix}_{event}" if event in ("sent", "received") else None


def subject_ids(message: Message) -> list[str]:
    """The data subjects a message is about (ID numbers or USCCs)."""
    body = message.body
    found: list[str] = []
    if message.type == MessageType.QUESTION_ASK:
        try:
            found = get_question(str(body.get("question"))).subjects_in(body.get("args") or {})
        except CertfreeError:  # an unknown question is still logged
            found = []
    elif isinstance(body.get("subject_id"), str):
        found = [body["subject_id"]]
    return found


# A reply as the log sees it: opened or just sealed (the plaintext is at hand), or the signed
# JWS kept in the reply store.
Reply = Message | str


def _record(
    kind: str, message: Message, reply: Reply | None, outcome: Any, at: dt.datetime | None = None
) -> AuditRecord:
    body = message.body
    question = body.get("question") if isinstance(body.get("question"), str) else None
    service = body.get("service_item") if isinstance(body.get("service_item"), str) else None
    return AuditRecord(
        kind=kind,
        message_id=message.id,
        consumer=message.sender,
        provider=message.receiver,
        question=question,
        service_item=service,
        subject_ids=subject_ids(message),
        outcome=outcome,
        message_sha256=_reply_sha256(reply) if reply else message.sha256,
        at=at or dt.datetime.now(dt.UTC),
    )


def _reply_sha256(reply: Reply) -> str:
    return reply.sha256 if isinstance(reply, Message) else message_sha256(reply)


def _outcome(reply: Reply | None) -> dict[str, Any] | None:
    """The reply's type and plaintext body. A stored reply sent again to a retry is only its
    JWS, whose body is encrypted to the requester: then the body is None, and the entry's
    ``message_sha256`` names the same reply as the entry of its first sending."""
    if reply is None:
        return None
    if isinstance(reply, Message):
        return {"type": reply.type, "body": reply.body if reply.readable else None}
    payload = json.loads(b64url_decode(reply.split(".")[1]))
    body = payload.get("body")
    if isinstance(body, dict) and sealed_body(body) is not None:
        body = None
    return {"type": payload.get("type"), "body": body}


def _prepare(
    event: str, message: Message, reply: Reply | None, at: dt.datetime | None = None
) -> AuditRecord | None:
    kind = _kind(message, event)
    if kind is None:
        return None
    if kind in {"answer_received", "answer_sent"}:
        return _record(kind, message, reply, _outcome(reply), at)
    return _record(kind, message, None, None, at)


def exchange_records(message: Message, reply: Reply, received_at: dt.datetime) -> list[AuditRecord]:
    """At the provider: the request's receipt (at ``received_at``) and the answer."""
    entries = [
        _prepare("received", message, None, received_at),
        _prepare("answer_sent", message, reply),
    ]
    return [entry for entry in entries if entry is not None]


def append_exchange(
    session: Session, message: Message, reply: Reply, received_at: dt.datetime
) -> list[int]:
    """At the provider, in the transaction that stores the reply: the request's receipt and
    the answer, committed together with it (X-Road: logged first)."""
    return append_records(session, exchange_records(message, reply, received_at))


def record_sync(sink: AuditSink, event: str, message: Message, reply: Reply | None) -> int | None:
    """Append and wait for the commit (provider thread); the leaf index, None if not logged."""
    entry = _prepare(event, message, reply)
    return sink.append_sync(entry) if entry is not None else None


async def record(
    sink: AuditSink, event: str, message: Message, reply: Reply | None, *, step: Step | None = None
) -> int | None:
    """Append and wait for the commit (consumer); ``step`` first, in the same transaction."""
    entry = _prepare(event, message, reply)
    if step is not None:
        indexes = await asyncio.wrap_future(sink.submit_many([entry] if entry else [], step))
        return indexes[0] if indexes else None
    return await sink.append(entry) if entry is not None else None


def warm_catalogue() -> None:
    """Load the question catalogue (a cached file read) before the first message needs it."""

    list_questions()
