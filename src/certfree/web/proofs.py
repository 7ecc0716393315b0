"""The published proof-item list as a page citizens can read (清单之外无证明), at ``/proofs``."""

from __future__ import annotations

from itertools import groupby
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from certfree import proofs
from certfree.api.deps import PUBLIC, SQL_INT_MAX, NodeDep
from certfree.i18n import Catalog
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

MESSAGES = Catalog.load("certfree.web", "messages/proofs.json").by_language()


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
