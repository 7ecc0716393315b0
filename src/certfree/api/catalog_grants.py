"""HTTP routes of sharing requests for catalog resources (国发〔2016〕51号 §9, §14).

Who may do what:

* ``department_admin`` (token ``org`` = the department's code) requests resources for its own
  demands (the demand's ``department_code``), and approves or refuses requests for its own
  resources (``org`` = the resource's provider code or name); it sees the requests it made and
  those made to it;
* ``bureau_admin`` (big-data bureau, which runs the catalog) may do all of that for any
  department, and sees every request;
* ``cio`` reads every request (reports), changes nothing.

Revoking a granted request uses ``POST /api/v1/grants/{id}/revoke`` (one grant model).

Grades decide first (``catalog.grants.grading``): a request covering items graded 3 or above
names a ``legal_basis`` and waits for the providing department's approval, and for important
data (grade 5) the bureau's too; core data (6) is refused unless the bureau records an override
naming the authorisation document (``POST …/override``).
"""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from certfree import catalog
from certfree.api.catalog import organ_of
from certfree.api.deps import (
    SQL_INT_MAX,
    IsoDateTime,
    NodeDep,
    PathId,
    SessionDep,
    allow,
    as_utc,
)
from certfree.api.grants import approver_of
from certfree.api.views import GrantView
from certfree.auth import Principal, Role
from certfree.errors import Forbidden

router = APIRouter(prefix="/api/v1", tags=["catalog"])

_Party = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN))]
_Reader = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN, Role.CIO))]


class ShareRequest(BaseModel):
    demand_id: int = Field(ge=1, le=SQL_INT_MAX, description="编号：本部门登记的数据需求")
    resource_code: str = Field(max_length=48, description="资源代码，如 101/000001")
    data_items: list[str] = Field(
        default_factory=list, max_length=200, description="所需信息项；不列则申请整个资源"
    )
    purpose: str | None = Field(default=None, max_length=255, description="默认取需求的用途")
    valid_from: IsoDateTime | None = None
    valid_to: IsoDateTime | None = None
    legal_basis: str | None = Field(
        default=None,
        max_length=32,
        description="法律依据（个人信息保护法 第13条）：consent, statutory_duty, statute …；"
        "所请求的信息项达到 3 级时必填",
    )
    legal_basis_text: str | None = Field(
        default=None, max_length=255, description="所依据的法律、行政法规条款或法定职责"
    )


class ShareOverride(BaseModel):
    document: str = Field(max_length=255, description="准予共享核心数据的授权文件（名称、文号）")


class ShareApproval(BaseModel):
    data_items: list[str] | None = Field(
        default=None, max_length=200, description="批准的信息项（只能缩小）"
    )
    purpose: str | None = Field(default=None, max_length=255, description="批准的用途表述")
    valid_from: IsoDateTime | None = None
    valid_to: IsoDateTime | None = None
    note: str | None = Field(default=None, max_length=1000)


class ShareRefusal(BaseModel):
    reason: str = Field(max_length=1000, description="不予批准的理由")


def _may_decide(session: Session, principal: Principal, grant: catalog.Grant) -> None:
    """The provider of the resource (by code, or name as api/catalog accepts) or the bureau."""
    if principal.role is Role.BUREAU_ADMIN:
        return
    organ = organ_of(principal)
    owners = {grant.provider_code}
    if grant.resource_code:
        # Deleted since: the provider code on the grant still names its owner.
        with contextlib.suppress(catalog.ResourceNotFound):
            owners.add(catalog.get_resource(session, grant.resource_code).provider)
    if organ not in owners:
        raise Forbidden(
            f"只能审批本部门（{organ}）提供的资源的共享申请，此申请的提供方为 {grant.provider_code}"
        )


def _may_see(principal: Principal, grant: catalog.Grant) -> None:
    if principal.role is Role.DEPARTMENT_ADMIN:
        organ = organ_of(principal)
        if organ not in {grant.consumer_code, grant.provider_code}:
            raise Forbidden(f"只能查看本部门（{organ}）提出或收到的共享申请")


def _resource_grant(session: Session, grant_id: int) -> catalog.Grant:
    grant = catalog.get_grant(session, grant_id)
    if grant.resource_code is None:
        raise catalog.GrantNotFound(f"没有编号为 {grant_id} 的资源共享申请", field="grant_id")
    return grant


@router.post("/catalog/grants", status_code=status.HTTP_201_CREATED)
def request_resource(
    body: ShareRequest, session: SessionDep, principal: _Party, node: NodeDep
) -> GrantView:
    """Request a resource for a demand; by share type the answer is granted, pending or refused."""
    demand = catalog.get_demand(session, body.demand_id)
    if principal.role is Role.DEPARTMENT_ADMIN and demand.department_code != organ_of(principal):
        raise Forbidden(
            f"只能为本部门（{principal.organisation}）登记的需求申请资源，"
            f"需求 {demand.id} 属于 {demand.department_code or demand.department}"
        )
    grant = catalog.request_resource(
        session,
        demand_id=body.demand_id,
        resource_code=body.resource_code,
        requested_by=principal.actor,
        data_items=body.data_items,
        purpose=body.purpose,
        valid_from=as_utc(body.valid_from),
        valid_to=as_utc(body.valid_to),
        legal_basis=body.legal_basis,
        legal_basis_text=body.legal_basis_text,
        threshold=node.settings.grant_grade_threshold,
    )
    return GrantView.model_validate(catalog.grant_view(grant))


@router.get("/catalog/grants")
def list_requests(
    *,
    session: SessionDep,
    principal: _Reader,
    state: Annotated[catalog.GrantStatus | None, Query(alias="status")] = None,
    resource_code: Annotated[str | None, Query(max_length=48)] = None,
    demand_id: Annotated[int | None, Query(ge=1, le=SQL_INT_MAX)] = None,
) -> list[GrantView]:
    """Resource requests, oldest first; a department admin's own (as consumer or provider)."""
    party = organ_of(principal) if principal.role is Role.DEPARTMENT_ADMIN else None
    rows = catalog.list_grants(
        session,
        status=state,
        resource_code=resource_code,
        demand_id=demand_id,
        party=party,
        resources_only=True,
    )
    return [GrantView.model_validate(catalog.grant_view(g)) for g in rows]


@router.get("/catalog/grants/{grant_id}")
def get_request(grant_id: PathId, session: SessionDep, principal: _Reader) -> GrantView:
    grant = _resource_grant(session, grant_id)
    _may_see(principal, grant)
    return GrantView.model_validate(catalog.grant_view(grant))


@router.post("/catalog/grants/{grant_id}/approve")
def approve(
    grant_id: PathId, body: ShareApproval, session: SessionDep, principal: _Party
) -> GrantView:
    """Grant a pending request, optionally narrowing its data items, purpose and period."""
    _may_decide(session, principal, _resource_grant(session, grant_id))
    grant = catalog.approve_request(
        session,
        grant_id,
        decided_by=principal.actor,
        data_items=body.data_items,
        purpose=body.purpose,
        valid_from=as_utc(body.valid_from),
        valid_to=as_utc(body.valid_to),
        note=body.note,
        approver=approver_of(principal),
    )
    return GrantView.model_validate(catalog.grant_view(grant))


@router.post("/catalog/grants/{grant_id}/refuse")
def refuse(
    grant_id: PathId, body: ShareRefusal, session: SessionDep, principal: _Party
) -> GrantView:
    """Refuse a pending request, with the reasons (required)."""
    _may_decide(session, principal, _resource_grant(session, grant_id))
    grant = catalog.refuse_request(
        session,
        grant_id,
        decided_by=principal.actor,
        reason=body.reason,
        approver=approver_of(principal),
    )
    return GrantView.model_validate(catalog.grant_view(grant))


@router.post("/catalog/grants/{grant_id}/override")
def override(
    grant_id: PathId, body: ShareOverride, session: SessionDep, principal: _Party
) -> GrantView:
    """The bureau reopens a request refused as core data, naming the authorisation document
    (数据安全法 第21条); the providing department then approves or refuses it."""
    grant = catalog.override_core(
        session, _resource_grant(session, grant_id), approver_of(principal), document=body.document
    )
    return GrantView.model_validate(catalog.grant_view(grant))
