"""The provider's side of a message: run its handler, seal the reply, keep it for retries.

Handlers run in a worker thread with their own database connection (and session, for those
that write). The handler's work and the
signed reply are committed in one transaction, and the audit entry of the reply is committed
before the reply leaves (X-Road's rule). The count of important data and sensitive personal
information the reply carries out (a handler's ``reply_step``, registered with it) commits in
that same transaction.

The reply's body is encrypted to the key the requester registered (its own key for a message
this node sent itself to a department it hosts): the reply store keeps the signed ciphertext,
the audit entry the plaintext this node wrote.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certfree.crypto import Jwk
from certfree.errors import CertfreeError
from certfree.exchange.errors import NodeWithoutEncryptionKey, ProviderUnavailable
from certfree.exchange.protocol import audit
from certfree.exchange.protocol.audit import ExchangeAudit
from certfree.exchange.protocol.directory import NodeDirectory
from certfree.exchange.protocol.handlers import (
    Handler,
    HandlerContext,
    Handlers,
    Registration,
    ReplyStep,
)
from certfree.exchange.protocol.identity import NodeIdentity
from certfree.exchange.protocol.messages import MessageType, is_encrypted, reply_type
from certfree.exchange.protocol.replay import purge_expired, reply_for, store_reply
from certfree.exchange.protocol.signing import Message, seal
from certfree.exchange.protocol.workers import Workers
from certfree.storage import Database, utcnow

__all__ = ["Answerer"]

_PURGE_EVERY_SECONDS = 60.0


class Answerer:
    """Answers the messages addressed to this node or to a department it hosts."""

    def __init__(
        self,
        db: Database,
        node: NodeIdentity,
        *,
        directory: NodeDirectory,
        handlers: Handlers,
        audit: ExchangeAudit,
        workers: Workers,
        clock: Callable[[], float],
    ) -> None:
        self._db = db
        self._node = node
        self._directory = directory
        self._handlers = handlers
        self._audit = audit
        self._workers = workers
        self._clock = clock
        self._purged_at = 0.0

    async def dispatch(self, message: Message) -> str:
        """Answer a message addressed to this node or to a department it hosts (sent from
        here, :func:`certfree.exchange.protocol.transport.send`); the signed reply JWS."""
        registration = self._handlers.for_message(message, self._node.code)
        return await self._workers.run(self.answer, registration, message)

    def answer(self, registration: Registration, message: Message) -> str:
        """The signed reply to ``message``: the handler's answer or a signed refusal, or the
        reply already given to the same message (a retry). Blocking: run it in a thread."""
        db = self._db
        keep = 2 * self._node.settings.exchange_clock_skew + 60
        received_at = utcnow()
        handler, step = registration.handler, registration.reply_step
        if registration.read_only:
            # Handlers that only read (questions): their replies share group commits.
            return self._answer_grouped(handler, step, message, received_at, keep)
        with db.engine.connect() as connection:
            stored = reply_for(connection, message)
        if stored is not None:
            return self._again(message, stored)
        # The handler's work, the signed reply and both audit entries (request received,
        # answer sent) commit in one transaction, before the reply leaves: after a crash,
        # either all of it is there (a retry gets the same reply) or none (a retry runs anew).
        try:
            with db.session() as session:
                context = self._context(message, session.connection(), session)
                reply = self._run(handler, message, context)
                store_reply(session, message, reply.raw, keep_seconds=keep)
                audit.append_exchange(session, message, reply, received_at)
                if step is not None and (after := step(message, reply)) is not None:
                    after(session)
        except IntegrityError:
            return self._raced(message)
        except CertfreeError as exc:
            if exc.status >= 500 or isinstance(exc, NodeWithoutEncryptionKey):
                raise  # not the caller's fault, or no refusal could reach it: nothing stored
            reply = self._refusal(message, exc)
            try:
                with db.session() as session:
                    store_reply(session, message, reply.raw, keep_seconds=keep)
                    audit.append_exchange(session, message, reply, received_at)
            except IntegrityError:
                return self._raced(message)
        self._maybe_purge()
        return reply.raw

    def _answer_grouped(
        self,
        handler: Handler,
        step: ReplyStep | None,
        message: Message,
        received_at: dt.datetime,
        keep: int,
    ) -> str:
        """A handler that only reads: its reply is stored and logged by the audit writer's
        group commit, many messages per transaction, and released only after that commit."""
        # One connection, no ORM session: the lookup and the handler's reads are Core
        # statements, and a read needs no commit (closing the connection ends it).
        with self._db.engine.connect() as connection:
            stored = reply_for(connection, message)
            if stored is None:
                context = self._context(message, connection)
                try:
                    reply = self._run(handler, message, context)
                except CertfreeError as exc:
                    if exc.status >= 500 or isinstance(exc, NodeWithoutEncryptionKey):
                        raise  # not the caller's fault, or no refusal could reach it
                    reply = self._refusal(message, exc)
                finally:
                    context.close()
        if stored is not None:
            return self._again(message, stored)
        records = audit.exchange_records(message, reply, received_at)
        after = step(message, reply) if step is not None else None

        def store(session: Session) -> None:
            store_reply(session, message, reply.raw, keep_seconds=keep)
            if after is not None:  # e.g. egress, counted in the transaction that logs the answer
                after(session)

        try:
            self._audit.sink.submit_many(records, store).result()
        except IntegrityError:
            return self._raced(message)
        self._maybe_purge()
        return reply.raw

    def _again(self, message: Message, stored: str) -> str:
        """A retry: release the same answer again, logged again before it leaves."""
        audit.record_sync(self._audit.sink, "answer_sent", message, stored)
        return stored

    def _raced(self, message: Message) -> str:
        """The same message ran twice at once: the first stored reply is the answer."""
        with self._db.engine.connect() as connection:
            reply = reply_for(connection, message)
        if reply is None:  # pragma: no cover - the other transaction stored it
            raise ProviderUnavailable(self._node.code, "concurrent copies of one message")
        return self._again(message, reply)

    def _context(
        self, message: Message, connection: Connection, session: Session | None = None
    ) -> HandlerContext:
        return HandlerContext(
            connection, message.receiver, self._node, self._directory, session=session
        )

    def _run(self, handler: Handler, message: Message, context: HandlerContext) -> Message:
        body = handler(context, message)
        return self._seal_reply(message, reply_type(message.type), body)

    def _reply_key(self, message: Message) -> Jwk:
        """The requester's encryption key, from the registry its request was just checked
        against; this node's own when it sent the request itself (a hosted department)."""
        if message.sender == self._node.code:
            return self._node.encryption_key()
        directory = self._directory.cached
        if directory is None:  # a 5xx is not stored: the consumer's retry is answered anew
            raise ProviderUnavailable(message.receiver, "node registry not loaded; retry")
        peer = directory.peer(message.sender)
        if peer is None or peer.encryption is None:
            raise NodeWithoutEncryptionKey(message.sender)
        return peer.encryption

    def _seal_reply(self, message: Message, type_: str, body: dict[str, Any]) -> Message:
        # A hosted department has no key of its own: this node signs, naming the department.
        hosted = message.receiver if message.receiver != self._node.code else None
        return seal(
            self._node.signer(),
            type=type_,
            sender=self._node.code,
            receiver=message.sender,
            body=body,
            reply_to=message.id,
            now=self._clock(),
            on_behalf_of=hosted,
            encrypt_to=self._reply_key(message) if is_encrypted(type_) else None,
        )

    def _refusal(self, message: Message, exc: CertfreeError) -> Message:
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
        with self._db.session() as session:
            purge_expired(session)
