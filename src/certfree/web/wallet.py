"""A citizen's wallet (卡包), at ``/wallet``: the certificates they hold, and 亮证 (showing one).

Like ``/me``, the page is a shell: its script lists the person's own certificates through
``GET /api/v1/certificates`` with their bearer token, claims backfilled ones (认领), and makes
presentations in the browser with the holder key kept there (``static/holder.js``, WebCrypto,
never sent to the server). At the province it also lists, from the provincial index
(``GET /api/v1/me/certificates/index``, ``static/wallet_cities.js``), what every other city
and department issued to the person, each linked to the wallet of the node that keeps it.
``/wallet/{identifier}`` opens one certificate: its face, and the choice of what to show, as a
QR code that renews itself or as a short code.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from certfree import certs, nodes
from certfree.api.deps import PUBLIC, NodeDep, SessionDep
from certfree.demo.devices import issued_on_demand
from certfree.i18n import Catalog
from certfree.settings import NodeLevel
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

MESSAGES = Catalog.load("certfree.web", "messages/wallet.json").by_language()
RP_MESSAGES = Catalog.load("certfree.web", "messages/relying_parties.json").by_language()
# The audience of a presentation shown before any verifier asked (walk-up 亮证码).
IN_PERSON_AUDIENCE = "certfree:in-person"
# A walk-up QR renews this often: within the verifier's 120 s acceptance of the nonce's time
# and the node's 300 s key-binding freshness window (certs.verification).
RENEW_SECONDS = 50


def certificate_types(lang: str) -> dict[str, dict[str, Any]]:
    """Each type's name, face fields (label, kind, whether shown alone), predicates (label, the
    field each stands for), the claims a lone field needs beside it and the derived claims,
    in the page's language, so the script can label a credential's claims."""
    english = lang == "en"
    shown: dict[str, dict[str, Any]] = {}
    for code, kind in certs.cert_types().items():
        shown[code] = {
            "name": kind.name_en if english else kind.name,
            "fields": [
                {
                    "name": f.name,
                    "label": f.label_en if english else f.label,
                    "type": f.type,
                    "grade": f.grade,
                    "disclose_alone": f.disclose_alone,
                }
                for f in kind.fields
            ],
            "predicates": [
                {"name": p.name, "label": p.label_en if english else p.label, "field": p.field}
                for p in kind.predicates
            ],
            # The disclosure rule and the claims derived on the device (holder.js).
            "disclose_with": list(kind.disclose_with),
            "holder_field": kind.holder_field,
            "derived": [d.to_json() for d in kind.derivations],
        }
    return shown


def _page(
    request: Request, node: NodeDep, session: SessionDep, identifier: str | None
) -> HTMLResponse:
    lang = pick_language(request, node.settings.default_language)
    # Issuing organs by USCC: the registry is public, a credential names only the USCC.
    registry = nodes.list_nodes(session)
    organs = {n.uscc: n.name for n in registry if n.uscc}
    # The province also lists the holder's certificates from every other node (certs.index).
    cities = node.settings.node_level is NodeLevel.PROVINCE
    # A demo node seals a resident's own ID card or household register to this browser's key
    # (POST /dev/own-certificates), so every demo persona has something to show.
    english = lang == "en"
    demo = [
        {"code": code, "name": kind.name_en if english else kind.name}
        for code, kind in certs.cert_types().items()
        if node.settings.is_development and issued_on_demand(code)
    ]
    return render_page(
        request,
        "wallet.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": MESSAGES[lang],
            "identifier": identifier,
            "demo": demo,
            "cities": cities,
            "page_data": {
                "T": MESSAGES[lang],
                "LANG": lang,
                "CERT_TYPES": certificate_types(lang),
                "ORGANS": organs,
                "IDENTIFIER": identifier,
                "AUDIENCE": IN_PERSON_AUDIENCE,
                "RENEW_SECONDS": RENEW_SECONDS,
                # The register of relying parties' refusals (static/wallet_requests.js).
                "RP_T": RP_MESSAGES[lang],
                "DEVELOPMENT": node.settings.is_development,
                "NODE": node.settings.node_code,
                "NODES": {n.code: n.name for n in registry} if cities else {},
            },
        },
    )


@router.get("/wallet", response_class=HTMLResponse, openapi_extra=PUBLIC)
def wallet_page(request: Request, node: NodeDep, session: SessionDep) -> HTMLResponse:
    """The shell of the wallet: the list is fetched by the script with the holder's token."""
    return _page(request, node, session, None)


@router.get("/wallet/{identifier}", response_class=HTMLResponse, openapi_extra=PUBLIC)
def wallet_certificate_page(
    request: Request,
    node: NodeDep,
    session: SessionDep,
    identifier: Annotated[str, Path(max_length=128)],
) -> HTMLResponse:
    """One held certificate and 亮证; the certificate itself is fetched with the token."""
    return _page(request, node, session, identifier)
