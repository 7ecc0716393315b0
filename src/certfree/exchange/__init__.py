"""Data-sharing exchange over the 1+16+N cascade: signed node messages, routing, questions.

Split by what it does: ``protocol`` (messages, signing, replay, routing, the node registry,
answering, transport and the runtime), ``questions`` (catalogue, bindings, consents, asking),
``verification`` (department verification) and ``register_notices``; the protocol knows none
of the others, whose handlers ``certfree.assembly`` registers on a node's runtime. The core's
public names are listed here; submodules are imported by name where they are used.
"""

from certfree.exchange.errors import (
    MessageRefused,
    ProviderConflict,
    ProviderForbidden,
    ProviderInvalidInput,
    ProviderNotFound,
    ProviderRefused,
    ProviderUnavailable,
    RefusalReason,
)
from certfree.exchange.protocol.messages import MessageType
from certfree.exchange.protocol.routing import next_hop, parent_of, path
from certfree.exchange.protocol.signing import Message, open_message, seal

__all__ = [
    "Message",
    "MessageRefused",
    "MessageType",
    "ProviderConflict",
    "ProviderForbidden",
    "ProviderInvalidInput",
    "ProviderNotFound",
    "ProviderRefused",
    "ProviderUnavailable",
    "RefusalReason",
    "next_hop",
    "open_message",
    "parent_of",
    "path",
    "seal",
]
