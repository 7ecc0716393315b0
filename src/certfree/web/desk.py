"""The service desk's verification page, at ``/desk`` (窗口核验).

A clerk asks a department a question about an applicant (``POST /api/v1/exchange/ask``) and
sees the signed answer, the nodes it passed and how long it took. Before asking, the page shows
what the applicant is consenting to (``/api/v1/me/consents/preview``); the consent itself is the
applicant's act, given to the province, which signs the consent attestation the question
carries (on a demo node fetched by ``POST /dev/consent-attestation``, as the applicant). Like
``/me`` the page is a shell: the script calls
the API with the clerk's bearer token, kept in ``sessionStorage``. On a development node
``/desk?as=<staff id>`` signs a clerk in through ``POST /dev/staff-sign-in``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree import procedures
from certfree.api.deps import PUBLIC, NodeDep
from certfree.errors import CertfreeError
from certfree.i18n import Catalog
from certfree.nodes import NodeStatus
from certfree.settings import NodeLevel
from certfree.web.i18n import pick_language
from certfree.web.me import question_terms
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

SERVICE_ITEMS_LISTED = 300

MESSAGES = Catalog.load("certfree.web", "messages/desk.json").by_language()


def _service_items(node: NodeDep) -> list[dict[str, str]]:
    with node.db.session() as session:
        _, items = procedures.list_service_items(session, limit=SERVICE_ITEMS_LISTED)
    return [{"code": item.code, "name": item.name} for item in items]


@router.get("/desk", response_class=HTMLResponse, openapi_extra=PUBLIC)
async def desk_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The desk's page; departments come from the node registry, asking needs a clerk token."""
    lang = pick_language(request, node.settings.default_language)
    try:
        registry = await node.exchange.directory()
        departments = [
            {"code": peer.code, "name": peer.name or peer.code}
            for peer in sorted(registry.peers.values(), key=lambda peer: peer.code)
            if peer.status == NodeStatus.ACTIVE.value and peer.level == NodeLevel.DEPARTMENT.value
        ]
    except CertfreeError:
        departments = []  # no registry yet: the clerk types the department's code
    return render_page(
        request,
        "desk.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": MESSAGES[lang],
            "questions": question_terms(lang),
            "departments": departments,
            "service_items": await node.exchange.in_thread(_service_items, node),
        },
    )
