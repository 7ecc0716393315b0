"""The provider's side of a message: run its handler, seal the reply, keep it for retries.

Handlers run in a worker thread with their own database session. The handler's work and the
signed reply are committed in one transaction, and the audit entry of the reply is committed
before the reply leaves (X-Road's rule). The count of important data and sensitive personal
information the reply carries out (``egress_link``) commits in that same transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certfree.errors import CertfreeError
from certfree.exchange.errors import ProviderUnavailable
from certfree.exchange.protocol import audit as audit_link
from certfree.exchange.protocol.messages import MessageType, reply_type
from certfree.exchange.protocol.replay import purge_expired, reply_for, store_reply
from certfree.exchange.protocol.signing import Message, seal
from certfree.exchange.questions.egress_link import egress_step
from certfree.storage import utcnow

if TYPE_CHECKING:
    from certfree.exchange.protocol.runtime import ExchangeRuntime

__all__ = ["Answerer", "Handler", "HandlerContext"]


@dataclass(frozen=True)
class HandlerContext:
    """What a provider handler gets besides the message: a session and who it runs as
    (``node_code``: the addressee, this node or a department it hosts)."""

    session: Session
    node_code: str
    runtime: ExchangeRuntime


Handler = Callable[[HandlerContext, Message], dict[str, Any]]

# Handlers that only read (questions): their replies can share group-committed transactions.
_READ_ONLY = frozenset({MessageType.QUESTION_ASK})
_PURGE_EVERY_SECONDS = 60.0


class Answerer:
    """Answers the messages addressed to ``runtime``'s node (blocking: run it in a thread)."""

    def __init__(self, runtime: ExchangeRuntime) -> None:
        self.runtime = runtime
        self._purged_at = 0.0

    def answer(self, handler: Handler, message: Message) -> str:
        """The signed reply to ``message``: the handler's answer or a signed refusal, or the
        reply already given to the same message (a retry)."""
        db = self.runtime.db
        keep = 2 * self.runtime.settings.exchange_clock_skew + 60
        received_at = utcnow()
        if message.type in _READ_ONLY:
            return self._answer_grouped(handler, message, received_at, keep)
        with db.session() as session:
            stored = reply_for(session, message)
        if stored is not None:
            return self._again(message, stored)
        # The handler's work, the signed reply and both audit entries (request received,
        # answer sent) commit in one transaction, before the reply leaves: after a crash,
        # either all of it is there (a retry gets the same reply) or none (a retry runs anew).
        try:
            with db.session() as session:
                reply = self._run(handler, message, session)
                store_reply(session, message, reply, keep_seconds=keep)
                audit_link.append_exchange(session, message, reply, received_at)
                if (egress := egress_step(message, reply)) is not None:
                    egress(session)
        except IntegrityError:
            return self._raced(message)
        except CertfreeError as exc:
            if exc.status >= 500:
                raise  # not the caller's fault: nothing stored, a retry may succeed
            reply = self._refusal(message, exc)
            try:
                with db.session() as session:
                    store_reply(session, message, reply, keep_seconds=keep)
                    audit_link.append_exchange(session, message, reply, received_at)
            except IntegrityError:
                return self._raced(message)
        self._maybe_purge()
        return reply

    def _answer_grouped(
        self, handler: Handler, message: Message, received_at: dt.datetime, keep: int
    ) -> str:
        """A handler that only reads: its reply is stored and logged by the audit writer's
        group commit, many messages per transaction, and released only after that commit."""
        with self.runtime.db.session() as session:
            stored = reply_for(session, message)
            if stored is None:
                try:
                    reply = self._run(handler, message, session)
                except CertfreeError as exc:
                    if exc.status >= 500:
                        raise  # not the caller's fault: nothing stored, a retry may succeed
                    reply = self._refusal(message, exc)
        if stored is not None:
            return self._again(message, stored)
        records = audit_link.exchange_records(message, reply, received_at)
        egress = egress_step(message, reply)

        def store(session: Session) -> None:
            store_reply(session, message, reply, keep_seconds=keep)
            if egress is not None:  # counted in the transaction that logs the answer
                egress(session)

        try:
            self.runtime.audit.submit_many(records, store).result()
        except IntegrityError:
            return self._raced(message)
        self._maybe_purge()
        return reply

    def _again(self, message: Message, stored: str) -> str:
        """A retry: release the same answer again, logged again before it leaves."""
        audit_link.record_sync(self.runtime.audit, "answer_sent", message, stored)
        return stored

    def _raced(self, message: Message) -> str:
        """The same message ran twice at once: the first stored reply is the answer."""
        with self.runtime.db.session() as session:
            reply = reply_for(session, message)
        if reply is None:  # pragma: no cover - the other transaction stored it
            raise ProviderUnavailable(self.runtime.code, "concurrent copies of one message")
        return self._again(message, reply)

    def _run(self, handler: Handler, message: Message, session: Session) -> str:
        body = handler(HandlerContext(session, message.receiver, self.runtime), message)
        return self._seal_reply(message, reply_type(message.type), body)

    def _seal_reply(self, message: Message, type_: str, body: dict[str, Any]) -> str:
        # A hosted department has no key of its own: this node signs, naming the department.
        hosted = message.receiver if message.receiver != self.runtime.code else None
        return seal(
            self.runtime.signer(),
            type=type_,
            sender=self.runtime.code,
            receiver=message.sender,
            body=body,
            reply_to=message.id,
            now=self.runtime.clock(),
            on_behalf_of=hosted,
        ).raw

    def _refusal(self, message: Message, exc: CertfreeError) -> str:
        reason = getattr(exc, "reason", None)
        body = {
            "status": exc.status,
            "slug": exc.slug,
            "reason": str(reason) if reason is not None else None,
            "detail": exc.message,
            "field": exc.field,
        }
        return self._seal_reply(message, MessageType.REFUSAL, body)

    def _maybe_purge(self) -> None:
        now = time.monotonic()
        if now - self._purged_at < _PURGE_EVERY_SECONDS:
            return
        self._purged_at = now
        with self.runtime.db.session() as session:
            purge_expired(session)
