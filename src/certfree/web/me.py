"""A citizen's own page, at ``/me`` (我的数据): who used my data, my consents, my certificates.

The page is a server-rendered shell; a small script calls the applicant's own API routes
(``/api/v1/me/accesses``, ``/api/v1/me/consents``, ``/api/v1/me/certificate-uses``) with a
bearer token kept in ``sessionStorage``, so the server never renders one person's data into
a page another could load. The token comes from the province's OpenID provider in production;
on a development node ``/me?as=<ID number>`` signs in through ``POST /dev/sign-in``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree import certs
from certfree.api.deps import PUBLIC, NodeDep
from certfree.i18n import Catalog
from certfree.questions import data_items, list_questions
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

MESSAGES = Catalog.load("certfree.web", "messages/me.json").by_language()


def question_terms(lang: str) -> dict[str, dict[str, Any]]:
    """Each question's title, parameters, and its answer fields' labels and enum terms, for
    the scripts of ``/me`` and ``/desk`` to build forms and read answers."""
    chinese = lang == "zh-CN"
    items = data_items()

    def label(item: str) -> str:
        return items[item].zh.split("（")[0] if chinese else items[item].en

    return {
        q.name: {
            "title": q.title_zh if chinese else q.title_en,
            "params": [
                {
                    "name": p.name,
                    "label": p.label_zh if chinese else p.name,
                    "required": p.required,
                    "subject": p.subject,
                    "values": list(p.values),
                }
                for p in q.params
            ],
            "labels": {f.name: label(f.data_item) for f in q.answer},
            # The enum terms are Chinese; English shows the values as they are (married …).
            "values": {f.name: dict(f.values) for f in q.answer if f.values} if chinese else {},
        }
        for q in list_questions()
    }


def _certificate_types(lang: str) -> dict[str, dict[str, Any]]:
    """Each certificate type's name and its claims' labels, for the use log's rows."""
    english = lang == "en"
    shown: dict[str, dict[str, Any]] = {}
    for code, kind in certs.cert_types().items():
        labels = {"holder_id": "Holder ID" if english else "持证主体代码"}
        for field in kind.fields:
            labels[field.name] = field.label_en if english else field.label
        for predicate in kind.predicates:
            labels[predicate.name] = predicate.label_en if english else predicate.label
        shown[code] = {"name": kind.name_en if english else kind.name, "labels": labels}
    return shown


@router.get("/me", response_class=HTMLResponse, openapi_extra=PUBLIC)
def my_data_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The shell of the citizen's page; the data is fetched by the script with their token."""
    lang = pick_language(request, node.settings.default_language)
    return render_page(
        request,
        "me.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": MESSAGES[lang],
            "questions": question_terms(lang),
            "cert_types": _certificate_types(lang),
        },
    )
