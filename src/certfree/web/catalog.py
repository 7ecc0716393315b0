"""The published supply and demand lists as a readable page, at ``/catalog/lists``.

``?kind=supply|demand`` (default supply), ``?date=YYYY-MM-DD`` (default the newest),
``?page=N`` (rows in pages of :data:`PAGE_SIZE`), ``?lang=en`` for English. Public, like the
lists' downloads (see api/catalog_lists.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from certfree import catalog
from certfree.api.deps import PUBLIC, SQL_INT_MAX, NodeDep
from certfree.catalog import ListKind
from certfree.i18n import Catalog
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

PAGE_SIZE = 100
# Columns the page shows (the downloads hold them all).
SHOWN: dict[ListKind, tuple[str, ...]] = {
    ListKind.SUPPLY: ("code", "name", "provider", "share_type", "update_cycle", "match_status"),
    ListKind.DEMAND: (
        "id", "department", "scenario", "text", "calls_per_day", "match_status", "best_name",
        "best_score",
    ),
}  # fmt: skip

MESSAGES = Catalog.load("certfree.web", "messages/catalog.json").by_language()


@router.get("/catalog/lists", response_class=HTMLResponse, openapi_extra=PUBLIC)
def list_page(
    request: Request,
    node: NodeDep,
    kind: Annotated[Literal["supply", "demand"], Query()] = "supply",
    date: Annotated[str | None, Query(max_length=10)] = None,
    page: Annotated[int, Query(ge=1, le=SQL_INT_MAX)] = 1,
) -> HTMLResponse:
    """A published list: its counts, its rows page by page, links to every format."""
    lang = pick_language(request, node.settings.default_language)
    t = MESSAGES[lang]
    shown = ListKind(kind)
    context: dict[str, Any] = {"snapshot": None, "rows": [], "pages": 1}
    with node.db.session() as session:
        dates = [s.date.isoformat() for s in catalog.list_snapshots(session, shown)]
        try:
            snapshot = catalog.get_snapshot(session, shown, date or "latest")
        except catalog.ListNotPublished:
            snapshot = None
        if snapshot is not None:
            pages = max(1, -(-snapshot.row_count // PAGE_SIZE))
            page = min(page, pages)
            context = {
                "snapshot": catalog.snapshot_json(snapshot),
                "rows": catalog.snapshot_rows(snapshot, (page - 1) * PAGE_SIZE, page * PAGE_SIZE),
                "pages": pages,
            }
    columns = catalog.LIST_COLUMNS[shown]
    return render_page(
        request,
        "catalog_lists.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": t,
            "kind": shown.value,
            "dates": dates,
            "page": page,
            "columns": [(key, columns[key][0 if lang == "zh-CN" else 1]) for key in SHOWN[shown]],
            **context,
        },
        status_code=404 if date and context["snapshot"] is None else 200,
    )
