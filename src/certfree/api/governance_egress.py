"""Important data leaving the node, for the bureau: ``GET /api/v1/governance/egress``.

The big-data bureau sees every count (optionally one region's); a CIO sees the region of the
division in their token's ``org`` (a city's CIO, 370100, sees the nodes 3701…), never another's
(数据安全法 第21条、第30条; 个人信息保护法 第28条).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from certfree.api.deps import IsoDate, SessionDep, allow
from certfree.api.views import View
from certfree.auth import Principal, Role
from certfree.governance.egress import egress_report, region_of

router = APIRouter(prefix="/api/v1", tags=["governance"])

_Overseer = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN, Role.CIO))]


class EgressLineView(View):
    day: str
    provider: str
    recipient: str
    question: str | None
    resource_code: str | None
    field: str
    data_class: str | None
    grade: int | None
    important: bool = Field(description="grade 5 or more (数据安全法 第21条)")
    sensitive: bool = Field(description="sensitive personal information (个人信息保护法 第28条)")
    purpose: str
    service_item: str | None
    records: int = Field(description="data subjects the answers were about, summed")
    times: int = Field(description="answers or exports counted")


class EgressTotalsView(View):
    important_records: int
    sensitive_records: int
    answers: int


class EgressReportView(View):
    since: str | None
    until: str | None
    region: str | None
    totals: EgressTotalsView
    lines: list[EgressLineView]


@router.get("/governance/egress")
def egress(
    *,
    session: SessionDep,
    principal: _Overseer,
    since: Annotated[IsoDate | None, Query(description="起始日（含），北京时间")] = None,
    until: Annotated[IsoDate | None, Query(description="截止日（含）")] = None,
    region: Annotated[str | None, Query(max_length=16, description="行政区划代码")] = None,
) -> EgressReportView:
    """Important data (grade ≥ 5) and sensitive personal information that left this node:
    ``lines`` per day, provider, recipient, question or resource, field and purpose with the
    number of ``records``; ``totals`` of each kind."""
    report = egress_report(session, since=since, until=until, region=region_of(principal, region))
    return EgressReportView.model_validate(report)
