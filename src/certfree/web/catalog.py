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

MESSAGES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "数据供需清单",
        "motto": "供给清单列出可共享的数据资源，需求清单列出各部门登记的用数需求及对接情况。",
        "supply": "供给清单",
        "demand": "需求清单",
        "published": "{date} 发布 · 共 {n} 条",
        "hash": "内容摘要（SHA-256）",
        "not_published": "该清单尚未发布。",
        "downloads": "下载",
        "dates": "历次发布",
        "counts": "统计",
        "by_provider": "按提供方",
        "by_department": "按需求部门",
        "by_share_type": "按共享类型",
        "by_best_share_type": "按最佳匹配资源的共享类型",
        "by_match_status": "按对接状态",
        "count": "数量",
        "rows": "清单明细",
        "page": "第 {page} / {pages} 页",
        "prev": "上一页",
        "next": "下一页",
        "switch": "English",
        "unconditional": "无条件共享",
        "conditional": "有条件共享",
        "not_shared": "不予共享",
        "matched": "已对接",
        "unmatched": "暂无需求",
        "gap": "缺口",
    },
    "en": {
        "title": "Data supply and demand lists",
        "motto": "The supply list shows the shareable data resources; the demand list shows the "
        "departments' registered needs and whether they were met.",
        "supply": "Supply list",
        "demand": "Demand list",
        "published": "Published {date} · {n} rows",
        "hash": "Content hash (SHA-256)",
        "not_published": "This list has not been published yet.",
        "downloads": "Download",
        "dates": "Publications",
        "counts": "Counts",
        "by_provider": "By provider",
        "by_department": "By department",
        "by_share_type": "By share type",
        "by_best_share_type": "By share type of the best match",
        "by_match_status": "By match status",
        "count": "Count",
        "rows": "Entries",
        "page": "Page {page} of {pages}",
        "prev": "Previous",
        "next": "Next",
        "switch": "中文",
        "unconditional": "Unconditional",
        "conditional": "Conditional",
        "not_shared": "Not shared",
        "matched": "Matched",
        "unmatched": "Not demanded",
        "gap": "Gap",
    },
}


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
