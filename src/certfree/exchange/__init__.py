"""Data-sharing exchange over the 1+16+N cascade: signed node messages, routing, questions.

The exchange core's public names are listed here; submodules (``questions``, ``verification``,
``cluster`` …) are imported by name where they are used.
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
