"""HTTP routes of backfill runs (存量证照回填): upload a file, list the runs, read the rejects.

A ``department_admin`` backfills the records of its own organ (the token's ``org``): the file
(CSV or XLSX, multipart field ``file``, at most :data:`~certfree.api.uploads.MAX_UPLOAD_BYTES`)
is worked in the request, in this process (``workers=1``), so the upload limit bounds the
work; a bigger file is run with ``certfree certs backfill``. Every certificate is sealed under
the organ's seal, and a row whose issuer column names another organ is rejected. Re-sending
the same file resumes its job. The organ sees its own runs; a ``bureau_admin`` sees every run
and uploads none; another organ's run is 403, as the review queue's items are.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field
from sqlalchemy.orm import Session

from certfree import certs
from certfree.api.certs import acting_organ
from certfree.api.deps import IsoDateTime, NodeDep, PathId, SessionDep, allow
from certfree.api.uploads import UploadForm
from certfree.api.views import RowErrorView, View
from certfree.auth import Principal, Role
from certfree.errors import Forbidden, InvalidInput
from certfree.governance import mask_in_text

router = APIRouter(prefix="/api/v1/backfill", tags=["certificate backfill"])

_Runner = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN))]
_Reader = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN))]
_FILENAME_LENGTH = 255  # cert_backfill_jobs.filename
_TYPE_CODE_LENGTH = 21  # cert_backfill_jobs.type_code

# The request body: the file and its certificate type, as a form sends them.
_RUN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "type_code"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "type_code": {"type": "string", "maxLength": _TYPE_CODE_LENGTH},
                    },
                }
            }
        },
    }
}


class BackfillRunView(View):
    """A backfill job: the file, its type, the organ that ran it and its counts."""

    id: int
    filename: str
    type_code: str
    issuer_uscc: str | None = Field(description="the organ that ran it (null: run before)")
    file_sha256: str
    total_rows: int = Field(description="records in the file")
    issued: int
    rejected: int
    review: int = Field(description="rows sent to the manual-review queue (人工复核)")
    complete: bool = Field(description="every row of the file is decided")
    created_at: IsoDateTime
    updated_at: IsoDateTime


class BackfillRunResult(BackfillRunView):
    processed: int = Field(description="rows decided by this request")
    skipped: int = Field(description="rows already decided by an earlier run of the file")


class RejectedRowView(View):
    row: int = Field(description="the row's number in the file (the header is row 1)")
    reasons: list[RowErrorView]


class BackfillRunDetail(BackfillRunView):
    rejected_rows: list[RejectedRowView] = Field(description="a page of the rejected rows")
    rejected_total: int = Field(description="rejected rows in all")
    offset: int
    limit: int


def _reason(reason: str, principal: Principal) -> str:
    """A reject reason as ``principal`` reads it: whole for the organ that sent the file (to fix
    its rows), with ID and mobile numbers masked for the bureau, which oversees."""
    return mask_in_text(reason) if principal.role is Role.BUREAU_ADMIN else reason


def _organ(session: Session, principal: Principal) -> str | None:
    """The USCC the department admin acts for; None for the bureau (sees every organ)."""
    return None if principal.role is Role.BUREAU_ADMIN else acting_organ(session, principal)


def _type_code(fields: dict[str, str]) -> str:
    code = fields.get("type_code", "").strip()
    if not code:
        raise InvalidInput("请选择证照类型（type_code）", field="type_code")
    if len(code) > _TYPE_CODE_LENGTH:
        raise InvalidInput(f"证照类型代码至多 {_TYPE_CODE_LENGTH} 个字符", field="type_code")
    return code


@router.post("/runs", openapi_extra=_RUN_BODY)
def run(upload: UploadForm, node: NodeDep, principal: _Runner) -> BackfillRunResult:
    """Backfill the uploaded file's records as certificates of ``type_code`` under the seal of
    the token's organ; returns the job's counts (rejected rows: ``GET /runs/{id}``)."""
    data, sent_name = upload.file
    filename = (sent_name or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1]
    if not data:
        raise InvalidInput("上传的文件是空的", field="file")
    if len(filename) > _FILENAME_LENGTH:
        raise InvalidInput(f"文件名至多 {_FILENAME_LENGTH} 个字符", field="file")
    type_code = _type_code(upload.fields)
    # Checked before the file is read, and closed before the run writes (SQLite: one writer).
    with node.db.session() as session:
        organ = acting_organ(session, principal)
        kind = certs.cert_type(type_code)
        try:
            certs.resolve_issuer(session, kind, organ)
        except Forbidden as exc:
            raise Forbidden(exc.message, field="type_code") from None
    report = certs.run_backfill(
        node.db, node.keys, data=data, filename=filename, type_code=kind.code, issuer=organ,
        sole_issuer=True, workers=1, base_url=node.settings.base_url,
    )  # fmt: skip
    with node.db.session() as session:
        job = certs.job_json(certs.get_job(session, report.job_id))
    return BackfillRunResult.model_validate(
        {**job, "processed": report.processed, "skipped": report.skipped}
    )


@router.get("/runs")
def list_runs(session: SessionDep, principal: _Reader) -> list[BackfillRunView]:
    """The runs, newest first: the organ's own, every run for the bureau."""
    jobs = certs.list_jobs(session, issuer_uscc=_organ(session, principal))
    return [BackfillRunView.model_validate(certs.job_json(job)) for job in jobs]


@router.get("/runs/{run_id}")
def get_run(
    run_id: PathId,
    session: SessionDep,
    principal: _Reader,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> BackfillRunDetail:
    """One run with its counts and a page of its rejected rows, each with column and reason."""
    job = certs.get_job(session, run_id, issuer_uscc=_organ(session, principal))
    total, rows = certs.job_rejects(session, job, offset=offset, limit=limit)
    return BackfillRunDetail.model_validate(
        {
            **certs.job_json(job),
            "rejected_rows": [{"row": r.row_no, "reasons": [
                {"row": r.row_no, **reason, "reason": _reason(reason["reason"], principal)}
                for reason in r.reasons
            ]} for r in rows],
            "rejected_total": total,
            "offset": offset,
            "limit": limit,
        }
    )  # fmt: skip


@router.get(
    "/runs/{run_id}/rejects.csv",
    response_class=Response,
    responses={
        200: {
            "description": "the reject report as CSV (UTF-8 with BOM): 行号, 列, 原因",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def rejects_csv(run_id: PathId, session: SessionDep, principal: _Reader) -> Response:
    """The run's reject report: one line per reason, formula-like cells neutralised."""
    job = certs.get_job(session, run_id, issuer_uscc=_organ(session, principal))
    return Response(
        certs.reject_csv(
            [
                dataclasses.replace(e, reason=_reason(e.reason, principal))
                for e in certs.job_errors(session, job.file_sha256)
            ]
        ),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="backfill-{job.id}-rejects.csv"'},
    )
