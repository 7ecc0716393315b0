"""HTTP routes of the published supply and demand lists (供需两张清单).

The published lists are public (no token): provinces publish them openly — Shandong's
供需对接清单 are posted for every department and the public to read — and they hold catalog
metadata and demand descriptions, not data. Publishing is the big-data bureau's
(``bureau_admin``); the reports (counts over time and the state of sharing requests) are for
``bureau_admin`` and ``cio``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field

from certfree import catalog
from certfree.api.catalog import match_index
from certfree.api.deps import PUBLIC, IsoDate, NodeDep, SessionDep, allow
from certfree.api.views import View
from certfree.auth import Principal, Role

router = APIRouter(prefix="/api/v1", tags=["catalog"])

_Bureau = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN))]
_Overseer = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN, Role.CIO))]


class ListPublication(BaseModel):
    date: IsoDate | None = None  # default: today in Asia/Shanghai


class SnapshotView(View):
    """A published list's metadata and counts (``catalog.snapshot_json``)."""

    kind: Literal["supply", "demand"]
    kind_zh: str
    date: str
    content_hash: str = Field(description="SHA-256 of the canonical JSON rows")
    row_count: int
    counts: dict[str, Any]
    published_by: str
    published_at: str


class CatalogReport(View):
    snapshots: list[SnapshotView] = Field(description="every published snapshot, newest first")
    requests_by_status: dict[str, int] = Field(description="resource sharing requests by status")


def _snapshot(snapshot: catalog.ListSnapshot) -> SnapshotView:
    return SnapshotView.model_validate(catalog.snapshot_json(snapshot))


@router.post("/catalog/lists", status_code=status.HTTP_201_CREATED)
def publish(
    node: NodeDep, session: SessionDep, principal: _Bureau, body: ListPublication
) -> list[SnapshotView]:
    """Publish both lists as snapshots dated ``date`` (replacing that day's, if any)."""
    by = principal.actor
    made = catalog.publish_lists(session, match_index(node, session), published_by=by, on=body.date)
    return [_snapshot(s) for s in made]


@router.get("/catalog/lists", openapi_extra=PUBLIC)
def snapshots(
    session: SessionDep,
    kind: Annotated[Literal["supply", "demand"] | None, Query()] = None,
) -> list[SnapshotView]:
    """Published snapshots, newest first: date, kind, content hash, row count and counts."""
    return [_snapshot(s) for s in catalog.list_snapshots(session, kind)]


class PublishedList(SnapshotView):
    rows: list[dict[str, Any]] = Field(description="the list's rows as published")


@router.get(
    "/catalog/lists/{kind}/{date}",
    openapi_extra=PUBLIC,
    response_model=None,
    responses={
        200: {
            "model": PublishedList,
            "description": "the snapshot as JSON, CSV or XLSX (``format``)",
            "content": {
                catalog.EXPORT_FORMATS["csv"]: {"schema": {"type": "string"}},
                catalog.EXPORT_FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def download(
    session: SessionDep,
    kind: Literal["supply", "demand"],
    date: str,
    fmt: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
) -> Response:
    """One snapshot (``date`` = YYYY-MM-DD or ``latest``) as JSON, CSV or XLSX."""
    snapshot = catalog.get_snapshot(session, kind, date)
    name = f"catalog-{snapshot.kind.value}-{snapshot.date.isoformat()}.{fmt}"
    return Response(
        catalog.export_snapshot(snapshot, fmt),
        media_type=catalog.EXPORT_FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-SHA256": snapshot.content_hash,
        },
    )


@router.get("/catalog/reports")
def reports(session: SessionDep, _: _Overseer) -> CatalogReport:
    """Counts of every published snapshot (newest first) and sharing requests by status."""
    return CatalogReport(
        snapshots=[_snapshot(s) for s in catalog.list_snapshots(session)],
        requests_by_status=catalog.sharing_summary(session),
    )
