"""HTTP routes of the proof-item list (证明事项清单).

The published list, its versions and diffs are public: the list is published to citizens
("清单之外无证明"). Editing is for the big-data bureau; the abolition report is for it and
for the region's chief information officer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from certfree import procedures, proofs
from certfree.api.deps import PUBLIC, SQL_INT_MAX, SessionDep, allow
from certfree.api.uploads import UPLOAD_BODY, Upload
from certfree.api.views import ImportedFile, IsoTimestamp, RowErrorView, View
from certfree.auth import Principal, Role
from certfree.nodes import DepartmentKind
from certfree.proofs import BasisLevel, ExcludedArea, ListVersionNotFound, Way

router = APIRouter(prefix="/api/v1", tags=["proofs"])

Editor = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN))]
Version = Annotated[
    int | None, Query(ge=1, le=SQL_INT_MAX, description="已发布的版本号；不填为最新发布版本")
]


class LegalBasisOut(BaseModel):
    document_id: int | None
    document_title: str
    document_number: str | None
    level: BasisLevel
    article: str
    repealed: bool


class ProofItemOut(BaseModel):
    code: str
    name: str
    fact: str
    issuing_department: str
    department_kind: DepartmentKind | None
    ways: list[Way]
    excluded_area: ExcludedArea | None
    status: proofs.ProofItemStatus
    legal_bases: list[LegalBasisOut]
    abolition_reason: str | None
    note: str | None


class VersionOut(BaseModel):
    number: int
    published_at: str
    actor: str
    reason: str
    item_count: int


class PublishedListOut(BaseModel):
    version: VersionOut
    items: list[ProofItemOut]


class BasisIn(BaseModel):
    document_title: str = Field(min_length=1, max_length=200, examples=["婚姻登记条例"])
    level: BasisLevel
    article: str = Field("", max_length=100, examples=["第五条"])
    document_number: str | None = Field(None, max_length=100, examples=["国务院令第387号"])

    def draft(self) -> proofs.BasisDraft:
        return proofs.BasisDraft(
            self.document_title, self.level, self.article, self.document_number
        )


class ChangeReason(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="修改理由，记入变更记录")


class ProofItemIn(ChangeReason):
    code: str = Field(min_length=1, max_length=32, examples=["SD-ZM-MZ-001"])
    name: str = Field(min_length=1, max_length=200)
    fact: str = Field(min_length=1, max_length=2000)
    issuing_department: str = Field(min_length=1, max_length=200)
    department_kind: DepartmentKind | None = None
    ways: list[Way] = Field(min_length=1)
    excluded_area: ExcludedArea | None = None
    note: str | None = Field(None, max_length=2000)
    legal_bases: list[BasisIn] = Field(default_factory=list)


class ProofItemPatch(ChangeReason):
    name: str | None = Field(None, min_length=1, max_length=200)
    fact: str | None = Field(None, min_length=1, max_length=2000)
    issuing_department: str | None = Field(None, min_length=1, max_length=200)
    department_kind: DepartmentKind | None = None
    ways: list[Way] | None = Field(None, min_length=1)
    excluded_area: ExcludedArea | None = None
    note: str | None = Field(None, max_length=2000)


class BasisAdd(BasisIn, ChangeReason):
    pass


class RepealOut(BaseModel):
    document_id: int
    document_title: str
    flagged: list[str]
    service_items_flagged: list[str]


class VersionRef(View):
    version: int
    published_at: str


class TargetVersionRef(VersionRef):
    reason: str


class RemovedItem(View):
    code: str
    name: str
    abolition_reason: str | None


class FieldChange(View):
    field: str
    before: Any = Field(description="as stored; legal bases as citations a person reads")
    after: Any


class ChangedItem(View):
    code: str
    name: str
    changes: list[FieldChange]


class ListDiff(View):
    """What changed between two published versions (``proofs.diff``)."""

    from_: VersionRef = Field(alias="from")
    to: TargetVersionRef
    added: list[dict[str, Any]] = Field(description="items as published in version ``to``")
    removed: list[RemovedItem] = Field(description="items abolished or gone")
    changed: list[ChangedItem]


class FlaggedItem(View):
    code: str
    name: str
    issuing_department: str
    reason: str | None = Field(description="why the legal-basis check flagged it")
    flagged_at: str | None
    legal_bases: list[LegalBasisOut]


class AbolitionReport(View):
    """Items flagged to abolish, oldest flag first (``proofs.abolition_report``)."""

    rule: str = Field(description="the rule the legal-basis check applies")
    count: int
    items: list[FlaggedItem]


class ListChangeOut(View):
    """One entry of the change log (``proofs.ChangeView``)."""

    at: IsoTimestamp
    actor: str
    reason: str
    kind: proofs.ChangeKind
    item_code: str | None
    document_id: int | None
    details: dict[str, Any]
    published_in: int | None = Field(description="the version it went into; null if pending")


class LegalDocumentOut(View):
    """A legal document the list cites (``proofs.LegalDocument``)."""

    id: int
    title: str
    number: str | None
    level: BasisLevel
    repealed_at: IsoTimestamp | None
    repeal_reason: str | None


class ProofImportOut(ImportedFile):
    added: list[str]
    amended: list[str]
    unchanged: list[str]
    flagged: list[str]
    abolished: list[str] = Field(description="rows passed over: the item is abolished")
    errors: list[RowErrorView]
    stored: bool


def _item_out(view: proofs.ProofItemView) -> ProofItemOut:
    return ProofItemOut.model_validate(view.as_json())


def _version_out(view: proofs.VersionView) -> VersionOut:
    return VersionOut.model_validate(view.as_json())


def _published(session: SessionDep, version: int | None) -> int:
    number = version or proofs.current_version(session)
    if number is None:
        raise ListVersionNotFound("证明事项清单尚未发布；由大数据局发布后可查询", field="version")
    return number


@router.get("/proofs", openapi_extra=PUBLIC)
def published_list(session: SessionDep, version: Version = None) -> PublishedListOut:
    """The published proof list (newest version, or ``?version=N``), items ordered by code."""
    number = _published(session, version)
    return PublishedListOut(
        version=_version_out(proofs.get_version(session, number)),
        items=[_item_out(v) for v in proofs.list_items(session, number)],
    )


@router.get(
    "/proofs.csv",
    openapi_extra=PUBLIC,
    response_class=Response,
    responses={
        200: {
            "description": "the list as CSV (UTF-8 with BOM), one row per legal basis",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def published_csv(session: SessionDep, version: Version = None) -> Response:
    """The published list as CSV (UTF-8 with BOM, so that Excel opens it), one row per basis."""
    number = _published(session, version)
    return Response(
        proofs.export_csv(proofs.list_items(session, number)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="proof-list-v{number}.csv"'},
    )


@router.get("/proofs/versions", openapi_extra=PUBLIC)
def versions(session: SessionDep) -> list[VersionOut]:
    """Every published version: who published it, when and why."""
    return [_version_out(v) for v in proofs.list_versions(session)]


@router.get("/proofs/diff", openapi_extra=PUBLIC)
def diff(
    session: SessionDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=SQL_INT_MAX)],
    to: Annotated[int, Query(ge=1, le=SQL_INT_MAX)],
) -> ListDiff:
    """Items added, removed and changed (field by field) from version ``from`` to ``to``."""
    return ListDiff.model_validate(proofs.diff(session, from_, to))


@router.get("/proofs/abolition-report")
def abolition_report(
    session: SessionDep, _: Annotated[Principal, Depends(allow(Role.CIO, Role.BUREAU_ADMIN))]
) -> AbolitionReport:
    """Items flagged to abolish by the legal-basis check, each with its reason."""
    return AbolitionReport.model_validate(proofs.abolition_report(session))


@router.get("/proofs/changes")
def changes(
    session: SessionDep,
    _: Annotated[Principal, Depends(allow(Role.CIO, Role.BUREAU_ADMIN))],
    version: Annotated[
        int | None, Query(ge=1, le=SQL_INT_MAX, description="不填为尚未发布的变更")
    ] = None,
) -> list[ListChangeOut]:
    """The change log: what went into ``version``, or what awaits publication."""
    return [ListChangeOut.model_validate(c) for c in proofs.list_changes(session, version=version)]


@router.get("/legal-documents", openapi_extra=PUBLIC)
def legal_documents(session: SessionDep) -> list[LegalDocumentOut]:
    """The legal documents the list cites, with their ids (for repeal) and status."""
    return [LegalDocumentOut.model_validate(d) for d in proofs.list_documents(session)]


@router.post("/proofs", status_code=201)
def add_item(session: SessionDep, principal: Editor, body: ProofItemIn) -> ProofItemOut:
    """Add an item; one whose bases do not suffice is stored flagged ``to_abolish``."""
    draft = proofs.ItemDraft(
        code=body.code,
        name=body.name,
        fact=body.fact,
        issuing_department=body.issuing_department,
        ways=body.ways,
        excluded_area=body.excluded_area,
        department_kind=body.department_kind,
        note=body.note,
        bases=[b.draft() for b in body.legal_bases],
    )
    return _item_out(proofs.add_item(session, draft, principal.subject, body.reason))


@router.post("/proofs/publish", status_code=201)
def publish(session: SessionDep, principal: Editor, body: ChangeReason) -> VersionOut:
    """Freeze the working list as the next version."""
    return _version_out(proofs.publish(session, principal.subject, body.reason))


@router.post("/proofs/import", openapi_extra=UPLOAD_BODY)
def import_list(
    session: SessionDep,
    principal: Editor,
    upload: Upload,
    *,
    filename: Annotated[str | None, Query(max_length=200)] = None,
    fmt: Annotated[str | None, Query(alias="format", pattern="^(csv|xlsx)$")] = None,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> ProofImportOut:
    """Import a CSV or XLSX list; any bad row rejects the whole file (422 naming each row)."""
    data, sent_name = upload
    name = filename or sent_name or f"upload.{fmt or 'csv'}"
    report = proofs.import_proof_list(
        session, data, name, principal.subject, fmt=fmt, reason=reason
    )
    return ProofImportOut.model_validate(report.as_json())


@router.post("/legal-documents/{document_id}/repeal")
def repeal(
    session: SessionDep, principal: Editor, document_id: str, body: ChangeReason
) -> RepealOut:
    """Mark a document repealed (by id, 文号 or title); returns the proof items it leaves
    flagged and the service items that used them, now flagged for review (动态调整)."""
    impact = procedures.adjust_for_repeal(session, document_id, principal.subject, body.reason)
    document = proofs.find_document(session, document_id)
    return RepealOut(
        document_id=document.id,
        document_title=document.title,
        flagged=impact.proof_codes,
        service_items_flagged=impact.service_codes,
    )


@router.get("/proofs/working")
def working_list(
    session: SessionDep, _: Annotated[Principal, Depends(allow(Role.CIO, Role.BUREAU_ADMIN))]
) -> list[ProofItemOut]:
    """The working list: every item as it stands now, unpublished changes included."""
    return [_item_out(v) for v in proofs.list_items(session)]


@router.get("/proofs/{code}", openapi_extra=PUBLIC)
def get_item(session: SessionDep, code: str, version: Version = None) -> ProofItemOut:
    """An item as it stands now (including unpublished changes), or as in ``?version=N``."""
    if version is None:
        return _item_out(proofs.get_item(session, code))
    for view in proofs.list_items(session, version):
        if view.code == code:
            return _item_out(view)
    raise proofs.ProofItemNotFound(code)


@router.patch("/proofs/{code}")
def amend_item(
    session: SessionDep, principal: Editor, code: str, body: ProofItemPatch
) -> ProofItemOut:
    """Change the fields given (null clears department_kind, excluded_area or note)."""
    changes = {f: getattr(body, f) for f in body.model_fields_set - {"reason"}}
    return _item_out(proofs.amend_item(session, code, changes, principal.subject, body.reason))


@router.post("/proofs/{code}/bases", status_code=201)
def add_basis(session: SessionDep, principal: Editor, code: str, body: BasisAdd) -> ProofItemOut:
    """Cite one more legal basis; a flagged item with a sufficient new basis is kept again."""
    view = proofs.add_basis(session, code, body.draft(), principal.subject, body.reason)
    return _item_out(view)


@router.post("/proofs/{code}/abolish")
def abolish(session: SessionDep, principal: Editor, code: str, body: ChangeReason) -> ProofItemOut:
    """Abolish an item: it may no longer be demanded in any form."""
    return _item_out(proofs.abolish_item(session, code, principal.subject, body.reason))
