"""The abolition report: items the legal-basis check flagged, with the reason for each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.proofs.models import ProofItem
from certfree.proofs.sufficiency import RULE_CITATION
from certfree.proofs.views import item_view
from certfree.proofs.vocab import ProofItemStatus

__all__ = ["abolition_report"]


def abolition_report(session: Session) -> dict[str, Any]:
    """Items of the working list flagged ``to_abolish``, oldest flag first (JSON-able)."""
    items = session.scalars(
        select(ProofItem)
        .where(ProofItem.status == ProofItemStatus.TO_ABOLISH)
        .order_by(ProofItem.flagged_at, ProofItem.code)
    ).all()
    return {
        "rule": RULE_CITATION,
        "count": len(items),
        "items": [
            {
                "code": item.code,
                "name": item.name,
                "issuing_department": item.issuing_department,
                "reason": item.abolition_reason,
                "flagged_at": item.flagged_at.isoformat() if item.flagged_at else None,
                "legal_bases": [b.as_json() for b in item_view(item).legal_bases],
            }
            for item in items
        ],
    }
