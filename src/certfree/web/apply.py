"""The citizen's 办事 pages: ``/apply`` (find a service, see what will be checked and what need
not be brought, start; my applications) and ``/apply/{id}`` (one application as its party sees
it: consent, wallet key, e-certificates shown, commitments signed, run, submit, notices,
receipt, decision, withdrawal).

Both are shells, as ``/me`` is: the scripts call the node's API with the person's bearer token
(``sessionStorage`` key ``certfree.me``, shared with /me and /wallet), so no case is rendered
into a page another could load. The server gives only the words: the labels of states, ways,
statuses, roles and actions in the page's language, certificate type names, and the scenario
words (办事场景) a service can be found by besides its name. On a demo node the pages let a
resident take their own e-ID card into the browser's wallet where a requirement asks for it,
as ``certfree apply`` does for the demo wallets.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from certfree import certs
from certfree.api.deps import PUBLIC, NodeDep
from certfree.demo.devices import issued_on_demand
from certfree.i18n import Catalog
from certfree.settings import NodeLevel
from certfree.web.application_terms import application_labels
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

__all__ = ["MESSAGES", "SCENARIOS", "router"]

router = APIRouter(tags=["web"])

MESSAGES = Catalog.load("certfree.web", "messages/apply.json").by_language()
# Life events (办事场景, the "一件事" of 国办发〔2022〕32号) and the words of the published
# service item names they lead to: a person looking for "领证" finds 内地居民结婚登记. The
# scenario's label and the words people use for it are in messages/apply.json
# (scenario.<key>, scenario.<key>.words).
SCENARIOS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("marriage", ("结婚登记",)),
    ("elderly", ("老年人",)),
    ("move", ("落户",)),
    ("property", ("不动产",)),
    ("business", ("企业设立", "消防安全检查")),
)


def _scenarios(lang: str) -> list[dict[str, Any]]:
    t = MESSAGES[lang]
    return [
        {
            "key": key,
            "label": t[f"scenario.{key}"],
            # Both languages' words: a person may type either on either page.
            "words": " ".join(MESSAGES[other][f"scenario.{key}.words"] for other in MESSAGES)
            .lower()
            .split(),
            "terms": list(terms),
        }
        for key, terms in SCENARIOS
    ]


def _page(request: Request, node: NodeDep, template: str, **extra: Any) -> HTMLResponse:
    lang = pick_language(request, node.settings.default_language)
    t = MESSAGES[lang]
    development = node.settings.is_development
    data = {
        "T": t,
        "LANG": lang,
        "LABELS": application_labels(lang),
        # An application is kept by the node that accepted it, this one: named, not coded.
        "NODE": {"code": node.settings.node_code, "name": node.settings.node_name},
        "DEVELOPMENT": development,
        # Only the province attests consent (docs/consent-attestations.md); another demo node
        # fetches the attestation from it as the resident (POST /dev/consent-attestation).
        "ATTESTS": node.settings.node_level is NodeLevel.PROVINCE,
        # On a demo node a resident takes their own e-ID card or household register entry
        # into this browser's wallet (POST /dev/own-certificates) when a step needs it.
        "OWN_CERTIFICATES": [c for c in certs.cert_types() if issued_on_demand(c)]
        if development
        else [],
        **extra,
    }
    return render_page(
        request,
        template,
        lang=lang,
        settings=node.settings,
        context={"t": t, "data": data, **extra},
    )


@router.get("/apply", response_class=HTMLResponse, openapi_extra=PUBLIC)
def apply_page(request: Request, node: NodeDep) -> HTMLResponse:
    """Find a service, see what it checks, start an application; my applications."""
    lang = pick_language(request, node.settings.default_language)
    return _page(request, node, "apply.html", SCENARIOS=_scenarios(lang))


@router.get("/apply/{app_id}", response_class=HTMLResponse, openapi_extra=PUBLIC)
def application_page(
    request: Request,
    node: NodeDep,
    app_id: Annotated[str, Path(max_length=64, pattern=r"^[0-9A-Za-z-]+$")],
) -> HTMLResponse:
    """One application as the signed-in party sees it (fetched by the script)."""
    return _page(request, node, "apply_case.html", APP=app_id)
