"""The catalog page of the big-data bureau and the CIO, at ``/bureau/catalog`` (数据目录与供需对接).

A shell like ``/me``: its scripts (static/bureau_catalog*.js) call the node's own API with the
signed-in person's bearer token (``sessionStorage`` key ``certfree.bureau``, shared with
``/bureau``):

* search and matching (``POST /api/v1/catalog/match``): each candidate with its score and why
  it matched — the words found as written or by synonym, in which fields, and the data items
  aligned — and a resource's details (``GET /api/v1/catalog/resources/{code}``);
* the catalog by provider, page by page (``GET /api/v1/catalog/resources``);
* demands (``GET``/``POST /api/v1/catalog/demands``) and each demand's candidates
  (``GET …/demands/{id}/matches``); the gap list (``GET /api/v1/catalog/gaps``).

``bureau_admin`` does all of it, ``cio`` reads (the API refuses the CIO's writes, and the page
offers none), and a ``department_admin`` reads its own demands and the catalog (the gap list is
the bureau's). Every enum value is shown by its label in the page's language: the labels are
the messages ``<enum>.<value>``, and a missing one fails at import.
"""

from __future__ import annotations

import enum
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree import catalog, classification
from certfree.api.deps import NodeDep
from certfree.i18n import Catalog
from certfree.web.i18n import pick_language
from certfree.web.registry_names import active_departments, organ_names
from certfree.web.rendering import render_page

# A page shell, not an API operation: like /api/docs it stays out of the OpenAPI document.
router = APIRouter(tags=["web"], include_in_schema=False)

MESSAGES = Catalog.load("certfree.web", "messages/bureau_catalog.json").by_language()
ROLES = ("bureau_admin", "cio", "department_admin")  # whom the demo sign-in offers, in order
TOP_CHOICES = (5, 10, 20)

# Each enum the page shows, under the message prefix of its labels.
_ENUMS: dict[str, type[enum.StrEnum]] = {
    "share_type": catalog.ShareType,
    "share_method": catalog.ShareMethod,
    "open_type": catalog.OpenType,
    "update_cycle": catalog.UpdateCycle,
}


def enum_labels(lang: str) -> dict[str, dict[str, str]]:
    """Every value of the page's enums with its label in ``lang`` (KeyError if one lacks it),
    and the data classes and grades of the governance vocabulary by code."""
    text = MESSAGES[lang]
    labels = {
        prefix: {member.value: text[f"{prefix}.{member.value}"] for member in kind}
        for prefix, kind in _ENUMS.items()
    }
    english = lang != "zh-CN"
    labels["classification"] = {
        kind.code: kind.name_en if english else kind.name for kind in classification.classes()
    }
    labels["grade"] = {
        str(grade.grade): f"{grade.grade} {grade.name_en if english else grade.name}"
        for grade in classification.grades()
    }
    return labels


for _lang in MESSAGES:
    enum_labels(_lang)  # a label missing in either language fails here, not on the page


def _providers(node: NodeDep) -> list[str]:
    """Providers of the newest published supply list, for the catalog's provider box."""
    with node.db.session() as session:
        try:
            published = catalog.get_snapshot(session, catalog.ListKind.SUPPLY, "latest")
        except catalog.ListNotPublished:
            return []
        return sorted(published.counts.get("by_provider", {}))


@router.get("/bureau/catalog", response_class=HTMLResponse)
async def bureau_catalog_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The page; its data comes from the catalog API with the signed-in person's token."""
    lang = pick_language(request, node.settings.default_language)
    # The organisation acted for is named, not coded: this node and every node of the registry.
    names = await organ_names(node)
    departments = await active_departments(node)  # none yet: no department admin to pick
    t = MESSAGES[lang]
    data: dict[str, Any] = {
        "T": t,
        "LABELS": enum_labels(lang),
        "THRESHOLD": catalog.GAP_THRESHOLD,
        "DEVELOPMENT": node.settings.is_development,
        "NODE_NAMES": names,
    }
    return render_page(
        request,
        "bureau_catalog.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": t,
            "roles": ROLES,
            "departments": departments,
            "providers": await node.exchange.in_thread(_providers, node),
            "top_choices": TOP_CHOICES,
            "threshold": f"{catalog.GAP_THRESHOLD:.0%}",
            "page_data": data,
        },
    )
