"""HTTP routes of the service-item catalogue (政务服务事项) and the route resolver.

Who may do what:

* everyone in government and applicants read items and their requirements;
* a clerk resolves routes for any applicant and the other parties (``party=ROLE=ID``) and
  checks what a desk may ask for; an applicant resolves routes only for themselves and no other
  party (the token's subject is their ID number or USCC): a route about another person tells
  which certificates that person holds;
* bureau_admin creates, replaces and imports items for any organ; a department_admin only for
  its own department node — the token's ``org`` claim must equal the item's ``node_code``
  (e.g. ``370100-MZ``), before and after a replacement.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from certfree import certs, procedures, proofs
from certfree.api.deps import SQL_INT_MAX, NodeDep, SessionDep, allow
from certfree.api.uploads import UPLOAD_BODY, Upload
from certfree.api.views import ImportedFile, RowErrorView
from certfree.auth import Principal, Role
from certfree.errors import Forbidden, InvalidInput
from certfree.exchange.questions.coverage import ExchangeFactSource
from certfree.procedures import EvidenceKind, ServiceItemSpec, ServiceItemStatus

router = APIRouter(prefix="/api/v1", tags=["procedures"])

Reader = Annotated[
    Principal,
    Depends(allow(Role.CLERK, Role.APPLICANT, Role.BUREAU_ADMIN, Role.DEPARTMENT_ADMIN, Role.CIO)),
]
Editor = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN, Role.DEPARTMENT_ADMIN))]


class ServiceItemPage(BaseModel):
    total: int
    items: list[procedures.ServiceItemSummary]


class ServiceItemImport(ImportedFile):
    created: int = Field(description="items created")
    updated: int = Field(description="items replaced")
    warnings: list[RowErrorView] = Field(description="faults that did not stop the import")
    errors: list[RowErrorView]


class EvidenceRequest(BaseModel):
    """What a desk wants to ask an applicant for, and optionally how."""

    kind: EvidenceKind
    ref: str = Field(min_length=1, max_length=64)
    way: proofs.Way | None = None


def _may_edit(principal: Principal, node_code: str | None) -> None:
    if principal.role is Role.BUREAU_ADMIN:
        return
    if not principal.organisation:
        raise Forbidden("department_admin 的令牌须带所属部门节点编码（org），才能维护政务服务事项")
    if node_code != principal.organisation:
        raise Forbidden(
            f"部门管理员只能维护本部门（{principal.organisation}）的政务服务事项，"
            f"该事项的节点编码为 {node_code or '空'}"
        )


@router.get("/procedures")
def list_items(
    session: SessionDep,
    _: Reader,
    q: Annotated[str | None, Query(max_length=100, description="编码、名称或实施机构")] = None,
    status: ServiceItemStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=SQL_INT_MAX)] = 0,
) -> ServiceItemPage:
    """Service items by code, filtered by text or status."""
    total, items = procedures.list_service_items(
        session, query=q, status=status, limit=limit, offset=offset
    )
    return ServiceItemPage(total=total, items=items)


@router.post("/procedures", status_code=201)
def create_item(
    session: SessionDep, principal: Editor, body: ServiceItemSpec
) -> procedures.ServiceItemView:
    """Register an item; 422 ``outside-the-list`` names a demanded proof not on the list."""
    _may_edit(principal, body.node_code)
    return procedures.create_service_item(session, body, principal.subject)


@router.post("/procedures/import", openapi_extra=UPLOAD_BODY)
def import_items(
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN))],
    upload: Upload,
    filename: Annotated[str | None, Query(max_length=200)] = None,
    strict: bool = False,
) -> ServiceItemImport:
    """Import a CSV/XLSX file of items; any bad row rejects the file (422 naming each row)."""
    data, sent_name = upload
    report = procedures.import_service_items(
        session, data, filename or sent_name or "upload.csv", principal.subject, strict=strict
    )
    return ServiceItemImport.model_validate(report.as_json())


@router.get("/procedures/{code}")
def get_item(session: SessionDep, _: Reader, code: str) -> procedures.ServiceItemView:
    """One service item with its requirements as stored."""
    return procedures.get_service_item(session, code)


@router.put("/procedures/{code}")
def replace_item(
    session: SessionDep, principal: Editor, code: str, body: ServiceItemSpec
) -> procedures.ServiceItemView:
    """Replace an item (clears a needs_review flag once it passes the list check)."""
    _may_edit(principal, procedures.get_service_item(session, code).node_code)
    _may_edit(principal, body.node_code)
    return procedures.update_service_item(session, code, body, principal.subject)


@router.get("/procedures/{code}/requirements")
def requirements(session: SessionDep, _: Reader, code: str) -> procedures.ServiceRequirementsView:
    """What the item may ask for and how: each requirement's alternatives, each evidence's ways
    from the proof-item list (a desk may ask for nothing else)."""
    return procedures.requirements_of(session, code)


@router.post("/procedures/{code}/evidence-check")
def evidence_check(
    session: SessionDep,
    _: Annotated[Principal, Depends(allow(Role.CLERK))],
    code: str,
    body: EvidenceRequest,
) -> procedures.AllowedEvidence:
    """Whether a desk may ask for this evidence (in this way); 422 evidence-not-allowed if not."""
    return procedures.check_evidence_request(session, code, body.kind, body.ref, body.way)


@router.get("/procedures/{code}/routes")
def routes(
    session: SessionDep,
    node: NodeDep,
    principal: Annotated[Principal, Depends(allow(Role.CLERK, Role.APPLICANT))],
    code: str,
    *,
    applicant: Annotated[str, Query(min_length=1, max_length=32, description="身份证号或USCC")],
    party: Annotated[
        list[str],
        Query(max_length=8, description="其他当事人 ROLE=ID，如 spouse=370102199001010036"),
    ] = [],  # noqa: B006 - FastAPI builds each request's list; the default is never mutated
) -> procedures.RouteReport:
    """The cheapest way to meet each requirement for this applicant (and parties), explained."""
    subject = procedures.parse_subject(applicant)
    if principal.role is Role.APPLICANT and principal.subject.strip().upper() != subject.identifier:
        raise Forbidden(
            "申请人只能查询本人的办理途径（an applicant may see only their own routes）"
        )
    if principal.role is Role.APPLICANT and party:
        raise Forbidden(
            "申请人不能查询其他当事人的办理途径，请在窗口或办件中给出当事人"
            "（an applicant may not plan routes about other parties）"
        )
    parties: dict[str, str] = {}
    for pair in party:
        role, sep, who = pair.partition("=")
        if not sep or not role.strip() or not who.strip():
            raise InvalidInput(f"当事人应写作 角色=证件号码，收到「{pair}」", field="party")
        parties[role.strip()] = who.strip()
    return procedures.resolve_routes(
        session,
        code,
        subject.identifier,
        parties=parties,
        facts=ExchangeFactSource.for_node(session, node.settings),
        holdings=certs.LibraryHoldings(session),
    )
