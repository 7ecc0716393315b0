"""The service desk's verification tool, at ``/desk/ask`` (窗口核验), beside the queue.

A clerk asks a department a question about an applicant (``POST /api/v1/exchange/ask``) and
sees the signed answer, the nodes it passed and how long it took. Before asking, the page shows
what the applicant is consenting to (``/api/v1/me/consents/preview``); the consent itself is the
applicant's act, given to the province, which signs the consent attestation the question
carries (on a demo node fetched by ``POST /dev/consent-attestation``, as the applicant). Like
``/me`` the page is a shell: the script calls
the API with the clerk's bearer token, kept in ``sessionStorage``. On a development node
``/desk/ask?as=<staff id>`` signs a clerk in through ``POST /dev/staff-sign-in``. A case page
opens it prefilled (``?question=&provider=&service_item=&subject=&purpose=``) for one of its
requirements.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree.api.deps import PUBLIC, NodeDep
from certfree.web.desk import MESSAGES, service_items
from certfree.web.i18n import pick_language
from certfree.web.me import question_terms
from certfree.web.registry_names import active_departments
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])


@router.get("/desk/ask", response_class=HTMLResponse, openapi_extra=PUBLIC)
async def desk_ask_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The desk's verification tool; departments come from the node registry, asking needs a
    clerk token."""
    lang = pick_language(request, node.settings.default_language)
    departments = await active_departments(node)  # none yet: the clerk types the code
    return render_page(
        request,
        "desk_ask.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": {
                **MESSAGES[lang],
                "title": MESSAGES[lang]["ask_title"],
                "motto": MESSAGES[lang]["ask_motto"],
            },
            "questions": question_terms(lang),
            "departments": departments,
            "service_items": await node.exchange.in_thread(service_items, node),
        },
    )
