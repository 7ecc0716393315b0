"""Dynamic adjustment (动态调整): when a law is repealed, the service items that demanded a proof
resting on it are flagged for review, with the reason and the proof items concerned.

A flagged item keeps working (its status is ``needs_review``, not withdrawn): the organ that
runs it reviews the requirements and saves the item again, which clears the flag — and which
"outside the list, no proof" refuses while the item still demands a flagged proof.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree import proofs
from certfree.errors import InvalidInput
from certfree.procedures.models import ServiceEvidence, ServiceItem, ServiceRequirement
from certfree.procedures.vocab import EvidenceKind, ServiceItemStatus
from certfree.storage import utcnow

__all__ = ["RepealImpact", "adjust_for_repeal", "flag_service_items_using"]


@dataclass(frozen=True, slots=True)
class RepealImpact:
    """What repealing one legal document changed: proof items flagged, service items flagged."""

    document: str
    proof_codes: list[str]
    service_codes: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "document": self.document,
            "proof_codes": self.proof_codes,
            "service_codes": self.service_codes,
        }


def flag_service_items_using(
    session: Session, proof_codes: Iterable[str], reason: str, actor: str = "system"
) -> list[str]:
    """Flag every service item whose evidence names one of ``proof_codes``; their codes, sorted.

    A flagged item records ``reason`` and the proof codes it uses among those given (added to
    any it was already flagged for). Withdrawn items are left alone.
    """
    codes = sorted({code.strip() for code in proof_codes if code.strip()})
    if not codes:
        return []
    if not reason.strip():
        raise InvalidInput("请说明复核原因", field="reason")
    rows = session.execute(
        select(ServiceRequirement.service_code, ServiceEvidence.ref)
        .join(ServiceEvidence, ServiceEvidence.requirement_id == ServiceRequirement.id)
        .where(ServiceEvidence.kind == EvidenceKind.PROOF_ITEM, ServiceEvidence.ref.in_(codes))
    ).all()
    using: dict[str, set[str]] = {}
    for service_code, proof_code in rows:
        using.setdefault(service_code, set()).add(proof_code)
    flagged: list[str] = []
    for service_code in sorted(using):
        item = session.get(ServiceItem, service_code)
        if item is None or item.status is ServiceItemStatus.WITHDRAWN:
            continue
        item.status = ServiceItemStatus.NEEDS_REVIEW
        item.review_reason = reason.strip()
        item.review_proof_codes = sorted(using[service_code] | set(item.review_proof_codes or []))
        item.updated_at = utcnow()
        item.updated_by = actor
        flagged.append(service_code)
    session.flush()
    return flagged


def adjust_for_repeal(
    session: Session, document: str | int, actor: str, reason: str
) -> RepealImpact:
    """Repeal ``document`` (id, 文号 or title) on the proof list, then flag the service items
    that use the proof items it left without sufficient basis.

    Errors are the proofs domain's: LegalDocumentNotFound, ProofListConflict if already repealed.
    """
    flagged_proofs = proofs.repeal_document(session, document, actor, reason)
    found = proofs.find_document(session, document)
    proof_list = "、".join(flagged_proofs)
    why = f"《{found.title}》已废止（{reason.strip()}），所用证明事项 {proof_list} 被标记为拟取消"
    services = (
        flag_service_items_using(session, flagged_proofs, why, actor) if flagged_proofs else []
    )
    return RepealImpact(document=found.title, proof_codes=flagged_proofs, service_codes=services)
