"""The published proof-item list as a page citizens can read (清单之外无证明), at ``/proofs``."""

from __future__ import annotations

from itertools import groupby
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from certfree import proofs
from certfree.api.deps import PUBLIC, SQL_INT_MAX, NodeDep
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

MESSAGES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "证明事项清单",
        "motto": "清单之外无证明：未列入本清单的证明，办事时一律不得索要。",
        "version": "第 {n} 版，{date} 发布",
        "reason": "发布说明",
        "not_published": "证明事项清单尚未发布。",
        "no_version": "没有这个版本。",
        "code": "编码",
        "name": "证明事项",
        "fact": "证明内容",
        "ways": "办理方式",
        "bases": "设定依据",
        "status": "状态",
        "none": "无",
        "repealed": "已废止",
        "excluded": "不适用告知承诺",
        "downloads": "下载",
        "versions": "历史版本",
        "switch": "English",
    },
    "en": {
        "title": "Proof-item list",
        "motto": "Outside the list, no proof: a proof not on this list may not be demanded.",
        "version": "Version {n}, published {date}",
        "reason": "Release note",
        "not_published": "The proof-item list has not been published yet.",
        "no_version": "There is no such version.",
        "code": "Code",
        "name": "Proof item",
        "fact": "What it proves",
        "ways": "How it is met",
        "bases": "Legal basis",
        "status": "Status",
        "none": "none",
        "repealed": "repealed",
        "excluded": "no commitment",
        "downloads": "Download",
        "versions": "Versions",
        "switch": "中文",
    },
}


@router.get("/proofs", response_class=HTMLResponse, openapi_extra=PUBLIC)
def proof_list_page(
    request: Request,
    node: NodeDep,
    version: Annotated[int | None, Query(ge=1, le=SQL_INT_MAX)] = None,
) -> HTMLResponse:
    """The newest published list (or ``?version=N``), grouped by the issuing department."""
    lang = pick_language(request, node.settings.default_language)
    t = MESSAGES[lang]
    with node.db.session() as session:
        versions = proofs.list_versions(session)
        shown = next((v for v in versions if v.number == version), None) if version else None
        if version is None and versions:
            shown = versions[-1]
        items = proofs.list_items(session, shown.number) if shown else []
    ordered = sorted(items, key=lambda i: (i.issuing_department, i.code))
    groups = [
        (name, list(group)) for name, group in groupby(ordered, lambda i: i.issuing_department)
    ]
    return render_page(
        request,
        "proofs.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": t,
            "shown": shown,
            "versions": versions,
            "groups": groups,
            "missing": t["no_version"] if version and shown is None else None,
        },
        status_code=404 if version and shown is None else 200,
    )
