"""A citizen's own page, at ``/me`` (我的数据): who used my data, my consents, my certificates'
uses, my commitments and credit records, my applications.

The page is a server-rendered shell; small scripts call the applicant's own API routes
(``/api/v1/me/accesses/cascade``, ``/api/v1/me/consents``, ``/api/v1/me/certificate-uses``,
``/api/v1/me/credit``, ``/api/v1/me/commitments``, ``/api/v1/applications``) with a bearer
token kept in ``sessionStorage``, so the server never renders one person's data into a page
another could load. The token comes from the province's OpenID provider in production; on a
development node ``/me?as=<ID number>`` signs in through ``POST /dev/sign-in``. The shell
carries only public vocabulary: question titles and answer terms, certificate types' claim
labels, data items, and the words for verification failures.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree import certs
from certfree.api.deps import PUBLIC, NodeDep
from certfree.crypto import StatusListReason
from certfree.governance import subject_rights
from certfree.i18n import Catalog
from certfree.questions import data_items, list_questions
from certfree.web.i18n import pick_language
from certfree.web.registry_names import organ_names
from certfree.web.rendering import FRAME, render_page

router = APIRouter(tags=["web"])

MESSAGES = Catalog.load("certfree.web", "messages/me.json").by_language()
# The rights section (data download, corrections, objections): its own catalogue.
RIGHTS = Catalog.load("certfree.web", "messages/my_rights.json").by_language()


def _term(value: str) -> str:
    """An English enum value as words (``half_yearly`` → ``half yearly``)."""
    return value.replace("_", " ")


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
            # The answer's fields in the question's order (JSON objects reach the page sorted).
            "fields": [f.name for f in q.answer],
            # The catalogue's enum terms are Chinese; in English the values are words already
            # (married, divorced …), written without their underscores.
            "values": {
                f.name: dict(f.values) if chinese else {v: _term(v) for v in f.values}
                for f in q.answer
                if f.values
            },
        }
        for q in list_questions()
    }


def _data_items(lang: str) -> dict[str, str]:
    """Each data item a consent covers, by code: its name without the list of its values."""
    chinese = lang == "zh-CN"
    return {
        code: item.zh.split("（")[0] if chinese else item.en for code, item in data_items().items()
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


def _failure_reasons(lang: str) -> dict[str, str]:
    """Why a certificate did not verify, by the reason code a use record keeps
    (``certs.verification``): the credential's own checks (``SdJwtReason``), its status, and
    its status list's checks (``status_list_<StatusListReason>``, told as one)."""
    t = MESSAGES[lang]
    reasons = {
        key.removeprefix("reason."): text for key, text in t.items() if key.startswith("reason.")
    }
    for code in StatusListReason:
        reasons[f"status_list_{code}"] = t["reason.status_list"]
    return reasons


@router.get("/me", response_class=HTMLResponse, openapi_extra=PUBLIC)
async def my_data_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The shell of the citizen's page; the data is fetched by the script with their token."""
    lang = pick_language(request, node.settings.default_language)
    t = MESSAGES[lang] | RIGHTS[lang]
    questions = question_terms(lang)
    facts = [
        {"code": f.code, "label": f.label_zh if lang == "zh-CN" else f.label_en}
        for f in subject_rights.FACTS.values()
    ]
    return render_page(
        request,
        "me.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": t,
            "FACTS": facts,
            "QUESTIONS": questions,
            "page_data": {
                # The frame's paging words first: the page's own messages win.
                "T": FRAME[lang] | t,
                "QUESTIONS": questions,
                "FACTS": facts,
                "CERT_TYPES": _certificate_types(lang),
                "DATA_ITEMS": _data_items(lang),
                "REASONS": _failure_reasons(lang),
                "NODE_NAMES": await organ_names(node),
                "DEVELOPMENT": node.settings.is_development,
            },
        },
    )
