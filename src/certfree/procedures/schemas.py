"""What goes in and comes out of the service-item catalogue, as pydantic models.

``ServiceItemSpec`` is what a bureau or department submits (API body, import row, demo file);
the ``*View`` models are what readers see. The API returns them as they are.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from certfree.nodes import DepartmentKind
from certfree.procedures.vocab import EvidenceKind, PartyRole, ServiceItemStatus, ServiceLevel
from certfree.questions import ParameterValue

__all__ = [
    "AllowedEvidence",
    "EvidenceSpec",
    "EvidenceView",
    "RequirementSpec",
    "RequirementView",
    "ServiceItemSpec",
    "ServiceItemSummary",
    "ServiceItemView",
    "ServiceRequirementsView",
]


class EvidenceSpec(BaseModel):
    """One piece of evidence: a proof item, a certificate type or a data-sharing question.

    A data-sharing question's parameters are its own (``years=60``), never the parties' ID
    numbers, which the application supplies; a certificate type may name the ``predicate``
    to be disclosed instead of the field it derives from (``age_over_60``).

    ``expect`` is the answer that establishes the requirement (answer field → allowed values):
    of the question itself, or for a proof item of the question that stands in for it. Without
    it every yes/no field must be yes and any other value is accepted.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: EvidenceKind
    ref: str = Field(min_length=1, max_length=64, description="证明事项编码、证照类型代码或问题名")
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    expect: dict[str, list[ParameterValue]] = Field(
        default_factory=dict, description="期望答复：答复字段 → 可满足条件的值"
    )


class RequirementSpec(BaseModel):
    """A requirement met by any one alternative; an alternative by all of its evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = Field(min_length=1, max_length=200, description="如 申请人婚姻状况")
    party: PartyRole = Field(
        default=PartyRole.APPLICANT, description="谁的事实：申请人、另一方当事人、被投靠人等"
    )
    alternatives: list[list[EvidenceSpec]] = Field(min_length=1)


class ServiceItemSpec(BaseModel):
    """A service item as submitted. ``level`` defaults to the one the division code implies."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, description="政务服务事项编码")
    name: str = Field(min_length=1, max_length=200)
    department_name: str = Field(min_length=1, max_length=100, description="实施机构")
    department_kind: DepartmentKind | None = None
    node_code: str | None = Field(default=None, max_length=16, description="如 370100-MZ")
    implementing_org_uscc: str | None = Field(default=None, max_length=18)
    division_code: str | None = Field(default=None, max_length=12)
    level: ServiceLevel | None = None
    item_type: str | None = Field(default=None, max_length=8)
    group_name: str | None = Field(default=None, max_length=200)
    source_url: str | None = Field(default=None, max_length=512)
    promised_days: int | None = Field(
        default=None, ge=1, le=366, description="承诺办结时限（工作日）"
    )
    result_cert_type: str | None = Field(
        default=None, min_length=21, max_length=21, description="办结后签发的电子证照类型代码"
    )
    requirements: list[RequirementSpec] = Field(default_factory=list)


class ServiceItemSummary(BaseModel):
    code: str
    name: str
    department_name: str
    level: ServiceLevel
    status: ServiceItemStatus
    requirement_count: int


class ServiceItemView(BaseModel):
    code: str
    name: str
    department_name: str
    department_kind: DepartmentKind | None
    node_code: str | None
    implementing_org_uscc: str | None
    division_code: str | None
    level: ServiceLevel
    item_type: str | None
    item_type_name: str | None
    group_name: str | None
    source_url: str | None
    status: ServiceItemStatus
    review_reason: str | None
    review_proof_codes: list[str]
    promised_days: int | None
    result_cert_type: str | None
    result_cert_name: str | None
    requirements: list[RequirementSpec]
    updated_at: dt.datetime
    updated_by: str


class EvidenceView(BaseModel):
    """One piece of evidence and how it may be met, from the proof-item list for proofs."""

    kind: EvidenceKind
    ref: str
    name: str
    parameters: dict[str, ParameterValue]
    expect: dict[str, list[ParameterValue]] = Field(default_factory=dict)
    ways: list[str] = Field(description="可采用的方式，按优先顺序（Way 的值）")
    ways_zh: list[str]
    proof_status: str | None = None
    excluded_area: str | None = None
    issuing_department: str | None = None


class RequirementView(BaseModel):
    position: int
    description: str
    party: PartyRole
    party_zh: str
    party_en: str
    alternatives: list[list[EvidenceView]]


class ServiceRequirementsView(BaseModel):
    """What a service item may ask for, and how (GET /api/v1/procedures/{code}/requirements)."""

    code: str
    name: str
    department_name: str
    status: ServiceItemStatus
    requirements: list[RequirementView]


class AllowedEvidence(BaseModel):
    """One piece of evidence a desk may ask for, with the requirements it serves."""

    kind: EvidenceKind
    ref: str
    name: str
    requirements: list[str]
    ways: list[str]
