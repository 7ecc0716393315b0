"""Read-only views of proof items, the shape other domains and the adapters see.

A view is what a published snapshot stores (``as_json``) and reads back (``from_json``), so
an old version is read exactly as it was frozen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certfree.nodes import DepartmentKind
from certfree.proofs.models import LegalBasis, ProofItem
from certfree.proofs.vocab import BasisLevel, ExcludedArea, ProofItemStatus, Way

__all__ = ["LegalBasisView", "ProofItemView", "basis_view", "item_view"]


@dataclass(frozen=True)
class LegalBasisView:
    """One article of one legal document, as cited by an item."""

    document_title: str
    document_number: str | None
    level: BasisLevel
    article: str
    document_id: int | None = None
    repealed: bool = False

    @property
    def may_demand_proof(self) -> bool:
        """In force and of a level that may create a proof requirement."""
        return not self.repealed and self.level.may_demand_proof

    @property
    def citation(self) -> str:
        """e.g. 《婚姻登记条例》（国务院令第387号）第五条."""
        number = f"（{self.document_number}）" if self.document_number else ""
        return f"《{self.document_title}》{number}{self.article}"

    def as_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "document_title": self.document_title,
            "document_number": self.document_number,
            "level": self.level.value,
            "article": self.article,
            "repealed": self.repealed,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LegalBasisView:
        return cls(
            document_title=data["document_title"],
            document_number=data.get("document_number"),
            level=BasisLevel(data["level"]),
            article=data.get("article", ""),
            document_id=data.get("document_id"),
            repealed=bool(data.get("repealed", False)),
        )


@dataclass(frozen=True)
class ProofItemView:
    """A proof item: what it proves, who issued it, why it may be asked for, how it is met."""

    code: str
    name: str
    fact: str
    issuing_department: str
    ways: tuple[Way, ...]
    excluded_area: ExcludedArea | None
    status: ProofItemStatus
    legal_bases: tuple[LegalBasisView, ...]
    abolition_reason: str | None
    department_kind: DepartmentKind | None = None
    note: str | None = None

    @property
    def commitment_allowed(self) -> bool:
        """Commitment is among the ways and the item lies in no excluded area."""
        return Way.COMMITMENT in self.ways and self.excluded_area is None

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "fact": self.fact,
            "issuing_department": self.issuing_department,
            "department_kind": self.department_kind.value if self.department_kind else None,
            "ways": [w.value for w in self.ways],
            "excluded_area": self.excluded_area.value if self.excluded_area else None,
            "status": self.status.value,
            "legal_bases": [b.as_json() for b in self.legal_bases],
            "abolition_reason": self.abolition_reason,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProofItemView:
        kind = data.get("department_kind")
        area = data.get("excluded_area")
        return cls(
            code=data["code"],
            name=data["name"],
            fact=data["fact"],
            issuing_department=data["issuing_department"],
            ways=tuple(Way(w) for w in data["ways"]),
            excluded_area=ExcludedArea(area) if area else None,
            status=ProofItemStatus(data["status"]),
            legal_bases=tuple(LegalBasisView.from_json(b) for b in data["legal_bases"]),
            abolition_reason=data.get("abolition_reason"),
            department_kind=DepartmentKind(kind) if kind else None,
            note=data.get("note"),
        )


def basis_view(basis: LegalBasis) -> LegalBasisView:
    document = basis.document
    return LegalBasisView(
        document_title=document.title,
        document_number=document.number,
        level=document.level,
        article=basis.article,
        document_id=document.id,
        repealed=document.repealed_at is not None,
    )


def item_view(item: ProofItem) -> ProofItemView:
    return ProofItemView(
        code=item.code,
        name=item.name,
        fact=item.fact,
        issuing_department=item.issuing_department,
        ways=tuple(Way(w) for w in item.ways),
        excluded_area=item.excluded_area,
        status=item.status,
        legal_bases=tuple(basis_view(b) for b in item.bases),
        abolition_reason=item.abolition_reason,
        department_kind=item.department_kind,
        note=item.note,
    )
