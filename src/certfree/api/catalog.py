"""HTTP routes of the data resource catalog (GB/T 21063.3), demands, matching and the gap list.

Who may do what:

* ``department_admin`` acting for an organ (token ``org`` claim = the provider's code or name)
  creates, edits and deletes that provider's resources, registers its own demands and reads
  them with their candidates;
* ``bureau_admin`` (big-data bureau) does all of that for every provider and department,
  imports catalog files and sees the gap list;
* ``cio`` reads resources, demands, matches and the gap list (the reports), changes nothing.

Resource codes contain a slash (``307/000001``: classification / sequence, 编制指南 §6.2), so
routes take them as the path's remainder.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from certfree import catalog
from certfree.api.deps import SQL_INT_MAX, NodeDep, PathId, SessionDep, allow
from certfree.api.uploads import UPLOAD_BODY, Upload
from certfree.api.views import ImportedFile, View
from certfree.assembly import NodeRuntime
from certfree.auth import Principal, Role
from certfree.errors import Forbidden

router = APIRouter(prefix="/api/v1", tags=["catalog"])

_Editor = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN))]
_Reader = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN, Role.CIO))]
_Bureau = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN))]
_Overseer = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN, Role.CIO))]


class MatchRequest(BaseModel):
    text: str = Field(default="", max_length=4000, description="the data wanted, free text")
    items: list[str] = Field(default_factory=list, max_length=200, description="data items")
    top: int = Field(default=5, ge=1, le=100)


class ResourceView(View):
    """A catalog resource (``catalog.resource_json``): GB/T 21063.3 core metadata, with
    Chinese labels beside the enumerations."""

    code: str
    class_code: str
    class_name: str
    name: str
    abstract: str
    provider: str
    provider_code: str
    region: str | None
    theme: str | None
    format: str
    items: list[dict[str, Any]]
    share_type: str
    share_type_zh: str
    share_conditions: str | None
    unshared_basis: str | None
    share_method: str
    open_type: str
    update_cycle: str
    released: str
    related: list[str]
    source_url: str | None
    origin_node: str | None = Field(description="the node holding it, when harvested")


class CatalogImportView(ImportedFile):
    created: int
    updated: int


class DemandView(View):
    """A registered data demand (``catalog.demand_json``)."""

    id: int
    department: str
    department_code: str | None
    scenario: str
    text: str
    items: list[str]
    purpose: str
    legal_basis: str
    calls_per_day: int
    created_at: str


class MatchedTerm(View):
    demand: str
    matched: str
    synonym: bool
    fields: list[str]
    items: list[str]


class MatchedItem(View):
    demand_item: str
    resource_item: str
    similarity: float


class MatchExplanation(View):
    terms: list[MatchedTerm]
    items: list[MatchedItem]
    summary: str


class CandidateView(View):
    """A resource proposed for a demand (``catalog.Candidate.as_json``), with why."""

    code: str
    name: str
    provider: str
    origin_node: str | None
    score: float
    bm25: float
    explanation: MatchExplanation


class RegisteredDemandView(DemandView):
    candidates: list[CandidateView]


class GapView(DemandView):
    """A demand no resource matches well (``catalog.gap_list``)."""

    best_score: float
    nearest: CandidateView | None


def organ_of(principal: Principal) -> str:
    """The department a department admin acts for (its token's ``org``); Forbidden if none."""
    if not principal.organisation:
        raise Forbidden("令牌未注明所属部门（org 声明：部门代码，或提供方代码、名称）")
    return principal.organisation


def _may_edit(principal: Principal, provider: str, provider_code: str) -> None:
    """A department admin edits only resources whose provider (name or code) is its org."""
    if principal.role is Role.BUREAU_ADMIN:
        return
    organ = organ_of(principal)
    if organ not in {provider, provider_code}:
        raise Forbidden(f"只能编辑本部门（{organ}）提供的数据资源，此资源由「{provider}」提供")


def match_index(node: NodeRuntime, session: Session) -> catalog.ResourceIndex:
    """The match index, cached in ``<var>/cache`` beside the key directory (as the CLI does)."""
    return catalog.load_index(session, node.settings.key_dir.parent / "cache")


@router.get("/catalog/resources")
def list_resources(
    session: SessionDep,
    _: _Reader,
    provider: Annotated[str | None, Query(max_length=100)] = None,
    provider_code: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=SQL_INT_MAX)] = 0,
) -> list[ResourceView]:
    """Resources in code order, optionally of one provider."""
    rows = catalog.list_resources(
        session, provider=provider, provider_code=provider_code, limit=limit, offset=offset
    )
    return [ResourceView.model_validate(catalog.resource_json(row)) for row in rows]


@router.post("/catalog/resources", status_code=status.HTTP_201_CREATED)
def create_resource(session: SessionDep, principal: _Editor, body: dict[str, Any]) -> ResourceView:
    """Create a resource (core metadata of GB/T 21063.3); its code is allocated."""
    draft = catalog.validate_resource(body)
    _may_edit(principal, draft.provider, draft.provider_code)
    return ResourceView.model_validate(
        catalog.resource_json(catalog.create_resource(session, draft))
    )


@router.post("/catalog/import", openapi_extra=UPLOAD_BODY)
def import_resources(
    session: SessionDep,
    _: _Bureau,
    upload: Upload,
    filename: Annotated[str | None, Query(max_length=200)] = None,
    encoding: Annotated[str | None, Query(max_length=20)] = None,
) -> CatalogImportView:
    """Import a CSV/XLSX catalog file; any bad row rejects it (422 naming each row)."""
    data, sent_name = upload
    name = filename or sent_name or "upload.csv"
    report = catalog.import_catalog(session, data, name, encoding=encoding)
    return CatalogImportView.model_validate(report.as_json())


@router.get("/catalog/resources/{code:path}")
def get_resource(session: SessionDep, _: _Reader, code: str) -> ResourceView:
    """One resource with all its metadata."""
    return ResourceView.model_validate(catalog.resource_json(catalog.get_resource(session, code)))


@router.patch("/catalog/resources/{code:path}")
def update_resource(
    session: SessionDep, principal: _Editor, code: str, body: dict[str, Any]
) -> ResourceView:
    """Change fields of a resource (the whole is re-validated); the provider's or bureau's."""
    row = catalog.get_resource(session, code)
    _may_edit(principal, row.provider, row.provider_code)
    if principal.role is Role.DEPARTMENT_ADMIN:
        moved = {k: body[k] for k in ("provider", "provider_code") if k in body}
        if moved and any(str(v).strip() != getattr(row, k) for k, v in moved.items()):
            raise Forbidden("部门管理员不能把资源移交给其他提供方")
    row = catalog.update_resource(session, code, body)
    return ResourceView.model_validate(catalog.resource_json(row))


@router.delete("/catalog/resources/{code:path}", status_code=status.HTTP_204_NO_CONTENT)
def delete_resource(session: SessionDep, principal: _Editor, code: str) -> None:
    """Remove a resource from the catalog."""
    row = catalog.get_resource(session, code)
    _may_edit(principal, row.provider, row.provider_code)
    catalog.delete_resource(session, code)


@router.get("/catalog/demands")
def list_demands(session: SessionDep, principal: _Reader) -> list[DemandView]:
    """Demands: a department admin's own (by org), every demand for bureau and CIO."""
    if principal.role is Role.DEPARTMENT_ADMIN:
        rows = catalog.list_demands(session, department_code=organ_of(principal))
    else:
        rows = catalog.list_demands(session)
    return [DemandView.model_validate(catalog.demand_json(row)) for row in rows]


@router.post("/catalog/demands", status_code=status.HTTP_201_CREATED)
def register_demand(
    node: NodeDep, session: SessionDep, principal: _Editor, body: dict[str, Any]
) -> RegisteredDemandView:
    """Register a demand; a department admin's is filed under its org. Returns candidates."""
    if principal.role is Role.DEPARTMENT_ADMIN:
        body = {**body, "department_code": organ_of(principal)}
    row = catalog.register_demand(session, body)
    text, items = catalog.demand_query(row)
    found = catalog.match(match_index(node, session), text, items)
    candidates = [c.as_json() for c in found]
    return RegisteredDemandView.model_validate(
        {**catalog.demand_json(row), "candidates": candidates}
    )


@router.get("/catalog/demands/{demand_id}/matches")
def demand_matches(
    node: NodeDep,
    session: SessionDep,
    principal: _Reader,
    demand_id: PathId,
    top: Annotated[int, Query(ge=1, le=100)] = 5,
) -> list[CandidateView]:
    """Ranked candidate resources for a registered demand, each with its explanation."""
    row = catalog.get_demand(session, demand_id)
    if principal.role is Role.DEPARTMENT_ADMIN and row.department_code != organ_of(principal):
        raise Forbidden("只能查看本部门登记的数据需求")
    text, items = catalog.demand_query(row)
    found = catalog.match(match_index(node, session), text, items, top=top)
    return [CandidateView.model_validate(c.as_json()) for c in found]


@router.post("/catalog/match")
def match(
    node: NodeDep, session: SessionDep, _: _Reader, body: MatchRequest
) -> list[CandidateView]:
    """Ranked resources for a demand given in the request (nothing stored)."""
    found = catalog.match(match_index(node, session), body.text, body.items, top=body.top)
    return [CandidateView.model_validate(c.as_json()) for c in found]


@router.get("/catalog/gaps")
def gaps(
    node: NodeDep,
    session: SessionDep,
    _: _Overseer,
    threshold: Annotated[float, Query(ge=0, le=1)] = catalog.GAP_THRESHOLD,
) -> list[GapView]:
    """The gap list: demands no resource matches well, highest call volume first."""
    found = catalog.gap_list(session, match_index(node, session), threshold=threshold)
    return [GapView.model_validate(gap) for gap in found]
