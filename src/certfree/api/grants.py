"""HTTP routes of sharing grants and the published verification questions.

A provider's grants are made at the provider node: by the big-data bureau (``bureau_admin``)
or by the providing department itself (``department_admin`` whose token ``org`` is the
provider's node code, e.g. 370100-MZ). Nodes and CIOs may read them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field, computed_field

from certfree import catalog
from certfree.api.deps import PUBLIC, IsoDateTime, PathId, SessionDep, allow, as_utc
from certfree.api.views import GrantView, View
from certfree.auth import Principal, Role
from certfree.errors import Forbidden
from certfree.nodes import DepartmentKind
from certfree.questions import check_grant_scope, get_question, list_questions

router = APIRouter(prefix="/api/v1", tags=["grants"])

_Granter = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN, Role.DEPARTMENT_ADMIN))]
_Reader = Annotated[
    Principal,
    Depends(allow(Role.BUREAU_ADMIN, Role.DEPARTMENT_ADMIN, Role.CIO, Role.NODE)),
]


class GrantRequest(BaseModel):
    consumer: str = Field(max_length=32, description="使用方节点编码，如 370200")
    provider: str = Field(max_length=32, description="提供方节点编码，如 370100-MZ")
    question: str = Field(max_length=64, description="核验问题名，如 marital_status")
    service_item: str = Field(max_length=64, description="政务服务事项编码（用途）")
    purpose: str = Field(max_length=255, description="用途说明")
    data_items: list[str] = Field(description="允许答复揭示的数据项")
    valid_from: IsoDateTime | None = None
    valid_to: IsoDateTime | None = None
    consent_exempt_basis: str | None = Field(
        default=None, max_length=255, description="免于个人同意的法律依据（引用条款）"
    )


class GrantRevokeRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=255)


def _may_grant(principal: Principal, provider: str) -> None:
    if principal.role is Role.DEPARTMENT_ADMIN and principal.organisation != provider:
        raise Forbidden(
            f"部门管理员只能管理本部门（令牌 org={principal.organisation}）作为提供方的授权，"
            f"不能管理 {provider} 的"
        )


@router.post("/grants", status_code=status.HTTP_201_CREATED)
def create_grant(body: GrantRequest, session: SessionDep, principal: _Granter) -> GrantView:
    """Grant a consumer node a question at a provider node, for one service item."""
    _may_grant(principal, body.provider)
    check_grant_scope(body.question, body.data_items)
    grant = catalog.create_grant(
        session,
        consumer=body.consumer,
        provider=body.provider,
        question=body.question,
        service_item=body.service_item,
        purpose=body.purpose,
        data_items=body.data_items,
        created_by=principal.actor,
        valid_from=as_utc(body.valid_from),
        valid_to=as_utc(body.valid_to),
        consent_exempt_basis=body.consent_exempt_basis,
    )
    return GrantView.model_validate(catalog.grant_view(grant))


@router.get("/grants")
def list_grants(
    *,
    session: SessionDep,
    principal: _Reader,
    consumer: Annotated[str | None, Query(max_length=32)] = None,
    provider: Annotated[str | None, Query(max_length=32)] = None,
    question: Annotated[str | None, Query(max_length=64)] = None,
    include_revoked: bool = True,
) -> list[GrantView]:
    """Grants on this node, filtered; a department admin sees those it provides."""
    if principal.role is Role.DEPARTMENT_ADMIN:
        provider = principal.organisation or ""
    rows = catalog.list_grants(
        session,
        consumer=consumer,
        provider=provider,
        question=question,
        include_revoked=include_revoked,
    )
    return [GrantView.model_validate(catalog.grant_view(g)) for g in rows]


@router.get("/grants/{grant_id}")
def get_grant(grant_id: PathId, session: SessionDep, principal: _Reader) -> GrantView:
    grant = catalog.get_grant(session, grant_id)
    if principal.role is Role.DEPARTMENT_ADMIN:
        _may_grant(principal, grant.provider_code)
    return GrantView.model_validate(catalog.grant_view(grant))


@router.post("/grants/{grant_id}/revoke")
def revoke_grant(
    grant_id: PathId, body: GrantRevokeRequest, session: SessionDep, principal: _Granter
) -> GrantView:
    """Revoke a grant; the provider refuses later questions under it (``grant_revoked``)."""
    _may_grant(principal, catalog.get_grant(session, grant_id).provider_code)
    grant = catalog.revoke_grant(session, grant_id, revoked_by=principal.actor, reason=body.reason)
    return GrantView.model_validate(catalog.grant_view(grant))


class QuestionParamView(View):
    name: str
    type: str
    required: bool
    label_zh: str
    values: list[str] | None = Field(
        default=None, exclude_if=lambda values: not values, description="the allowed values"
    )


class AnswerFieldView(View):
    name: str
    type: str
    core: bool = Field(description="revealed by every answer (a grant must allow it)")
    data_item: str


class QuestionView(View):
    """A verification question a department answers (``certfree.questions.QuestionDef``)."""

    name: str
    title_zh: str
    title_en: str
    department: DepartmentKind
    params: list[QuestionParamView]
    subject_params: list[str] = Field(description="parameters that are data subjects' ID numbers")
    answer: list[AnswerFieldView]
    data_items: list[str] = Field(description="every data item an answer can reveal")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def department_zh(self) -> str:
        return self.department.name_zh


@router.get("/questions", openapi_extra=PUBLIC, tags=["questions"])
def questions() -> list[QuestionView]:
    """The verification questions departments answer: parameters, answers, data items."""
    return [QuestionView.model_validate(q) for q in list_questions()]


@router.get("/questions/{name}", openapi_extra=PUBLIC, tags=["questions"])
def question(name: str) -> QuestionView:
    return QuestionView.model_validate(get_question(name))
