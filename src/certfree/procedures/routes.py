"""What the route resolver reports: for each requirement, whose fact it is, the way chosen and
every way tried, each with a reason code and a sentence in Chinese and in English."""

from __future__ import annotations

from pydantic import BaseModel, Field

from certfree import proofs
from certfree.procedures.vocab import EvidenceKind, PartyRole

__all__ = [
    "AlternativeRoute",
    "EvidenceRoute",
    "RequirementRoute",
    "RouteReport",
    "RouteStep",
    "failures",
    "step",
    "total_rank",
]

Way = proofs.Way
RANK = {way: rank for rank, way in enumerate(proofs.WAY_PREFERENCE)}


class RouteStep(BaseModel):
    """One way tried for one piece of evidence."""

    way: Way
    way_zh: str
    available: bool
    reason: str  # machine-readable: data_available, no_grant, certificate_not_held …
    text_zh: str
    text_en: str
    node_code: str | None = None
    # For data sharing: the question's arguments for this application (the parties'
    # identifiers and the item's fixed parameters), what the exchange will be asked.
    question: str | None = None
    args: dict[str, str | int] | None = None
    # For an e-certificate: the type the party holds, which they will be asked to show.
    certificate_type: str | None = None


class EvidenceRoute(BaseModel):
    kind: EvidenceKind
    ref: str
    name: str
    way: Way | None
    steps: list[RouteStep]


class AlternativeRoute(BaseModel):
    index: int
    available: bool
    way: Way | None  # the dearest way among its evidence
    evidences: list[EvidenceRoute]


class RequirementRoute(BaseModel):
    description: str
    party: PartyRole
    party_zh: str
    subject: str | None = Field(description="该当事人的身份证号或统一社会信用代码；缺少时为空")
    way: Way | None
    way_zh: str
    chosen_alternative: int | None
    explanation_zh: str
    explanation_en: str
    alternatives: list[AlternativeRoute]


class RouteReport(BaseModel):
    service_code: str
    service_name: str
    applicant: str
    applicant_kind: str
    parties: dict[str, str]  # role → identifier, the applicant included
    requirements: list[RequirementRoute]
    paper_count: int  # requirements that still need a paper proof
    unmet: list[str]  # requirements with no open route

    @property
    def paperless(self) -> bool:
        return self.paper_count == 0 and not self.unmet


def step(
    way: proofs.Way,
    available: bool,
    reason: str,
    text: str,
    english: str,
    *,
    node: str | None = None,
    question: str | None = None,
    args: dict[str, str | int] | None = None,
    certificate_type: str | None = None,
) -> RouteStep:
    """A step whose sentences start with the way's name (数据共享核验：…, Data sharing: …)."""
    return RouteStep(
        way=way,
        way_zh=way.label_zh,
        available=available,
        reason=reason,
        text_zh=f"{way.label_zh}：{text}",
        text_en=f"{way.label_en[:1].upper()}{way.label_en[1:]}: {english}",
        node_code=node,
        question=question,
        args=args,
        certificate_type=certificate_type,
    )


def total_rank(alternative: AlternativeRoute) -> int:
    """The sum of its evidence's ranks: fewer costly steps break a tie between alternatives."""
    return sum(RANK[e.way] for e in alternative.evidences if e.way is not None)


def failures(alternatives: list[AlternativeRoute]) -> list[RouteStep]:
    """Every step tried for the evidence that has no way, in order."""
    return [
        step
        for alternative in alternatives
        for evidence in alternative.evidences
        if evidence.way is None
        for step in evidence.steps
    ]
