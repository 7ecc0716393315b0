"""Where the route resolver learns what can be had without paper: ``FactSource`` (whether a
data-sharing question could be asked, and of which department node) and
``CertificateHoldings`` (which e-certificate types a party holds).

The exchange implements the first from its grants and node registry
(``certfree.exchange.questions.coverage``), the certificate library the second from the
certificates it issued (``certfree.certs.holdings``); the node wires them in where it is assembled.

Coverage means a question could be asked for this service item — a grant, a reachable
provider — not its answer: the resolver plans, the exchange verifies later, so a plan tells a
desk nothing about the applicant (data minimisation) and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from certfree.procedures.subjects import Subject
from certfree.questions import QuestionDef

__all__ = ["CertificateHoldings", "Coverage", "FactSource"]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Whether a question can be asked, of which department node, and why (in both languages).

    ``reason`` is machine-readable: ``data_available`` when it can, otherwise why not, e.g.
    ``no_grant`` or ``provider_unreachable``.
    """

    available: bool
    node_code: str | None
    department: str
    reason: str
    reason_zh: str
    reason_en: str


class FactSource(Protocol):
    """Whether a data-sharing question can be asked for a service item, and of which node."""

    def coverage(
        self, question: QuestionDef, *, service_code: str, division: str | None
    ) -> Coverage: ...


class CertificateHoldings(Protocol):
    """Which e-certificate types (GB/T 36904 type codes) a subject holds, valid today."""

    def held_types(self, subject: Subject) -> frozenset[str]: ...
