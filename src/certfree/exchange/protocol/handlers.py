"""What this node answers: message type → handler, registered by whoever assembles the node
(:func:`certfree.assembly.exchange_runtime`), never by the protocol itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from certfree.exchange.errors import MessageRefused, RefusalReason
from certfree.exchange.protocol.directory import NodeDirectory
from certfree.exchange.protocol.identity import NodeIdentity
from certfree.exchange.protocol.signing import Message

__all__ = ["Handler", "HandlerContext", "Handlers", "Registration", "ReplyStep"]


class HandlerContext:
    """What a provider handler gets besides the message: the transaction's ``connection``
    and an ORM ``session`` on it, who it runs as (``node_code``: the addressee, this node or
    a department it hosts), this node's identity and its registry (``directory.cached``: the
    one the message was just checked against).

    A read-only handler is given only a connection (Core statements need nothing more); a
    session on it is made the first time one is asked for, and closed by :meth:`close`.
    """

    def __init__(
        self,
        connection: Connection,
        node_code: str,
        node: NodeIdentity,
        directory: NodeDirectory,
        *,
        session: Session | None = None,
    ) -> None:
        self.connection = connection
        self.node_code = node_code
        self.node = node
        self.directory = directory
        self._session = session
        self._own = session is None

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session(bind=self.connection)
        return self._session

    def close(self) -> None:
        """Close the session made here (one given belongs to the caller)."""
        if self._own and self._session is not None:
            self._session.close()


Handler = Callable[[HandlerContext, Message], dict[str, Any]]
# Given the message and the reply as sealed (its plaintext body beside the signed, encrypted
# JWS), a step committed in the transaction that logs the answer (or None): e.g. counting the
# data the answer carries out of the node.
ReplyStep = Callable[[Message, Message], Callable[[Session], None] | None]


@dataclass(frozen=True)
class Registration:
    """A handler and how its reply is committed: ``read_only`` handlers (they only read)
    share the audit writer's group commits; ``reply_step`` runs with the reply's commit."""

    handler: Handler
    read_only: bool = False
    reply_step: ReplyStep | None = None


class Handlers:
    """The handlers of one node, by message type."""

    def __init__(self) -> None:
        self._table: dict[str, Registration] = {}

    def register(
        self,
        type_: str,
        handler: Handler,
        *,
        read_only: bool = False,
        reply_step: ReplyStep | None = None,
    ) -> None:
        """Handle messages of ``type_`` addressed to this node with ``handler``."""
        self._table[type_] = Registration(handler, read_only, reply_step)

    def __contains__(self, type_: str) -> bool:
        return type_ in self._table

    def for_message(self, message: Message, node_code: str) -> Registration:
        """The registration for ``message``; MessageRefused(no_handler) if there is none."""
        found = self._table.get(message.type)
        if found is None:
            raise MessageRefused(
                RefusalReason.NO_HANDLER, f"{node_code} does not handle {message.type}"
            )
        return found
