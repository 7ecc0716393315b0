"""The published supply and demand lists as a readable page, at ``/catalog/lists``.

``?kind=supply|demand`` (default supply), ``?date=YYYY-MM-DD`` (default the newest),
``?page=N`` (rows in pages of :data:`PAGE_SIZE`), ``?lang=en`` for English. The rows can be
narrowed by department (``department``: the provider of a resource, the department of a
demand), share type, update cycle (supply), match status and a search word (``q``); each
filter is a plain GET form, so the page works without its script. Public, like the lists'
downloads (see api/catalog_lists.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from certfree import catalog
from certfree.api.deps import PUBLIC, SQL_INT_MAX, NodeDep
from certfree.catalog import ListKind, UpdateCycle
from certfree.i18n import Catalog
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

PAGE_SIZE = 20  # rows a page shows: a phone scrolls through them, the downloads hold all
COUNTS_SHOWN = 8  # providers or departments in the counts table; the rest are summed up
# Columns the page shows (the downloads hold them all).
SHOWN: dict[ListKind, tuple[str, ...]] = {
    ListKind.SUPPLY: ("code", "name", "provider", "share_type", "update_cycle", "match_status"),
    ListKind.DEMAND: (
        "id", "department", "scenario", "text", "calls_per_day", "match_status", "best_name",
        "best_score",
    ),
}  # fmt: skip
# Which column each filter of the form narrows, by list.
FILTERED: dict[ListKind, dict[str, str]] = {
    ListKind.SUPPLY: {
        "department": "provider", "share_type": "share_type", "update_cycle": "update_cycle",
        "match_status": "match_status",
    },
    ListKind.DEMAND: {
        "department": "department", "share_type": "best_share_type",
        "match_status": "match_status",
    },
}  # fmt: skip
TEXT_SHOWN = 80  # characters of a demand's free text in its row

MESSAGES = Catalog.load("certfree.web", "messages/catalog.json").by_language()

_Filter = Annotated[str, Query(max_length=100)]


def _options(snapshot: dict[str, Any], kind: ListKind) -> dict[str, list[str]]:
    """The values each filter offers: those the list's counts hold (every cycle for supply)."""
    counts = snapshot["counts"]
    options = {
        "department": sorted(counts.get("by_provider", {})),
        "share_type": list(counts.get("by_share_type", {})),
        "match_status": list(counts.get("by_match_status", {})),
    }
    if kind is ListKind.SUPPLY:
        options["update_cycle"] = [cycle.value for cycle in UpdateCycle]
    return options


def _shown(row: dict[str, Any], key: str, t: dict[str, str]) -> str:
    """A cell as a reader reads it: enum values in words, scores in per cent, text cut short."""
    value = row.get(key)
    if value is None or value == "":
        return "—"
    if key in ("share_type", "match_status"):
        return t.get(str(value), str(value))
    if key == "update_cycle":
        return t.get(f"cycle_{value}", str(value))
    if key == "best_score":
        return f"{float(value):.0%}"
    text = str(value)
    if key == "text" and len(text) > TEXT_SHOWN:
        return text[:TEXT_SHOWN] + "…"
    return text


@router.get("/catalog/lists", response_class=HTMLResponse, openapi_extra=PUBLIC)
def list_page(
    request: Request,
    node: NodeDep,
    *,
    kind: Annotated[Literal["supply", "demand"], Query()] = "supply",
    date: Annotated[str | None, Query(max_length=10)] = None,
    page: Annotated[int, Query(ge=1, le=SQL_INT_MAX)] = 1,
    department: _Filter = "",
    share_type: _Filter = "",
    update_cycle: _Filter = "",
    match_status: _Filter = "",
    q: _Filter = "",
) -> HTMLResponse:
    """A published list: its counts, its rows filtered and page by page, every format."""
    lang = pick_language(request, node.settings.default_language)
    t = MESSAGES[lang]
    shown = ListKind(kind)
    asked = {
        "department": department.strip(), "share_type": share_type.strip(),
        "update_cycle": update_cycle.strip() if shown is ListKind.SUPPLY else "",
        "match_status": match_status.strip(), "q": q.strip(),
    }  # fmt: skip
    where = {column: asked[name] for name, column in FILTERED[shown].items()}
    context: dict[str, Any] = {"snapshot": None, "rows": [], "pages": 1, "total": 0}
    with node.db.session() as session:
        dates = [s.date.isoformat() for s in catalog.list_snapshots(session, shown)]
        try:
            snapshot = catalog.get_snapshot(session, shown, date or "latest")
        except catalog.ListNotPublished:
            snapshot = None
        if snapshot is not None:
            start = (page - 1) * PAGE_SIZE
            total, rows = catalog.find_rows(
                snapshot, where=where, search=asked["q"], start=start, stop=start + PAGE_SIZE
            )
            pages = max(1, -(-total // PAGE_SIZE))
            if page > pages:  # past the end (the filters narrowed it): the last page
                page = pages
                start = (page - 1) * PAGE_SIZE
                _, rows = catalog.find_rows(
                    snapshot, where=where, search=asked["q"], start=start, stop=start + PAGE_SIZE
                )
            published = catalog.snapshot_json(snapshot)
            context = {
                "snapshot": published,
                "rows": [
                    {"id": row.get("code") or row.get("id"), "status": row.get("match_status")}
                    | {key: _shown(row, key, t) for key in SHOWN[shown]}
                    for row in rows
                ],
                "pages": pages,
                "total": total,
                "options": _options(published, shown),
            }
    kept = {"kind": shown.value, "date": date or ""} | asked
    query = {key: value for key, value in kept.items() if value}

    def link(**changed: Any) -> str:
        return "?" + urlencode({**query, **changed})

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
            "asked": asked,
            "filtered": any(asked.values()),
            "link": link,
            "lang_query": urlencode(query),
            "counts_shown": COUNTS_SHOWN,
            "columns": [(key, columns[key][0 if lang == "zh-CN" else 1]) for key in SHOWN[shown]],
            **context,
        },
        status_code=404 if date and context["snapshot"] is None else 200,
    )
