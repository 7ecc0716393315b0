"""HTTP routes of sharing grants and the published verification questions.

A provider's grants are made at the provider node: by the big-data bureau (``bureau_admin``)
or by the providing department itself (``department_admin`` whose token ``org`` is the
provider's node code, e.g. 370100-MZ). Nodes and CIOs may read them.

Grades decide (``catalog.grants.grading``): a grant of fields graded 3 or above carries a legal
basis and is active only once the approvers its grade calls for approved it (the providing
department; for important data the bureau too, ``POST /grants/{id}/approve``); core data is
refused. ``GET /grant-decisions`` is the log of requests and decisions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field, computed_field

from certfree import catalog
from certfree.api.deps import (
    PUBLIC,
    SQL_INT_MAX,
    IsoDateTime,
    NodeDep,
    PathId,
    SessionDep,
    allow,
    as_utc,
)
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
    legal_basis: str | None = Field(
        default=None,
        max_length=32,
        description="法律依据（个人信息保护法 第13条）：consent, statutory_duty, statute …；"
        "默认：个人同意，或注明免于同意的依据时为履行法定职责",
    )
    legal_basis_text: str | None = Field(default=None, max_length=255, description="所依据的条款")


class GrantRevokeRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=255)


class GrantApproval(BaseModel):
    note: str | None = Field(default=None, max_length=1000)


def approver_of(principal: Principal) -> catalog.Approver:
    """The approval level a caller acts at: the bureau, or its department (token ``org``)."""
    if principal.role is Role.BUREAU_ADMIN:
        return catalog.Approver(
            principal.actor, catalog.ApproverLevel.BUREAU, principal.organisation
        )
    if principal.role is Role.DEPARTMENT_ADMIN and principal.organisation:
        return catalog.Approver(
            principal.actor, catalog.ApproverLevel.DEPARTMENT, principal.organisation
        )
    raise Forbidden("只有大数据局或部门管理员（令牌注明 org）可以审批共享（approvers only）")


def _may_grant(principal: Principal, provider: str) -> None:
    if principal.role is Role.DEPARTMENT_ADMIN and principal.organisation != provider:
        raise Forbidden(
            f"部门管理员只能管理本部门（令牌 org={principal.organisation}）作为提供方的授权，"
            f"不能管理 {provider} 的"
        )


@router.post("/grants", status_code=status.HTTP_201_CREATED)
def create_grant(
    body: GrantRequest, session: SessionDep, principal: _Granter, node: NodeDep
) -> GrantView:
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
        legal_basis=body.legal_basis,
        legal_basis_text=body.legal_basis_text,
        approver=approver_of(principal),
        threshold=node.settings.grant_grade_threshold,
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


@router.post("/grants/{grant_id}/approve")
def approve_grant(
    grant_id: PathId, body: GrantApproval, session: SessionDep, principal: _Granter
) -> GrantView:
    """Approve a pending question grant of graded data at the caller's level (the providing
    department; the bureau for important data); active once every level approved."""
    grant = catalog.approve_question_grant(
        session, grant_id, approver_of(principal), note=body.note
    )
    return GrantView.model_validate(catalog.grant_view(grant))


class GrantDecisionView(View):
    """One line of the log of sharing requests and decisions (``catalog.decision_view``)."""

    id: int
    grant_id: int
    action: str = Field(description="requested, approved, granted, refused, override, revoked")
    level: str = Field(description="department, bureau or system (a rule)")
    level_zh: str
    actor: str
    organisation: str | None
    at: str
    data_items: list[str]
    grade: int | None
    legal_basis: str | None
    legal_basis_zh: str | None
    legal_basis_text: str | None
    note: str | None = Field(description="reasons, a note, or the authorisation document")


@router.get("/grant-decisions")
def grant_decisions(
    *,
    session: SessionDep,
    principal: _Reader,
    grant_id: Annotated[int | None, Query(ge=1, le=SQL_INT_MAX)] = None,
    since: IsoDateTime | None = None,
    until: IsoDateTime | None = None,
) -> list[GrantDecisionView]:
    """The log of sharing requests and decisions, oldest first: who, when, which fields, their
    grade, the legal basis. A department admin sees those of its own grants."""
    party = (principal.organisation or "") if principal.role is Role.DEPARTMENT_ADMIN else None
    rows = catalog.list_decisions(
        session, grant_id=grant_id, since=as_utc(since), until=as_utc(until), party=party
    )
    return [GrantDecisionView.model_validate(catalog.decision_view(row)) for row in rows]


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
