"""The landing page: which node this is, what the demo province holds, whom to act as."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from certfree import nodes, population
from certfree.api.deps import PUBLIC, NodeDep
from certfree.auth import NODE_KEY_OWNER
from certfree.demo.personas import demo_personas
from certfree.settings import NodeLevel
from certfree.web import proofs
from certfree.web.i18n import MESSAGES, pick_language
from certfree.web.rendering import WEB, render_page

router = APIRouter(include_in_schema=True)


@router.get("/", response_class=HTMLResponse, tags=["web"], openapi_extra=PUBLIC)
def landing(request: Request, node: NodeDep) -> HTMLResponse:
    lang = pick_language(request, node.settings.default_language)
    with node.db.session() as session:
        # The landing page shows only these two figures; counting all nine tables would scan
        # millions of rows on every visit.
        counts = population.count_rows(session, tables=("persons", "firms"))
        personas = (
            demo_personas(session, node.settings)
            if node.settings.is_development and counts.get("persons")
            else []
        )
        city_count = len(nodes.list_nodes(session, level=NodeLevel.CITY))
        department_count = len(nodes.list_nodes(session, level=NodeLevel.DEPARTMENT))
    return render_page(
        request,
        "landing.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": MESSAGES[lang],
            "keys": node.keys.keys(NODE_KEY_OWNER),
            "counts": counts,
            "city_count": city_count,
            "department_count": department_count,
            "personas": personas,
        },
    )


def install_web(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(WEB / "static")), name="static")
    app.include_router(router)
    app.include_router(proofs.router)
