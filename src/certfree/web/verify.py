"""The verifier's page, at ``/verify`` (亮证核验): a hotel, hospital, scenic spot or police
officer reads a holder's presentation and sees whether it is valid and what it discloses.

The page is a shell like ``/desk``: its script reads the QR with the device camera or from an
image (jsQR, vendored), or takes pasted text or a short code, and calls
``POST /api/v1/verifications`` (or ``/short-codes/{code}/redeem``) with the verifier's own
token. Two ways of showing a certificate in person (docs in ``web-design``):

* the verifier's request: a verifier in the register of relying parties
  (``governance.relying_parties``) shows its own scenarios and a request the node signs with
  its registered key, ``certfree:request?jwt=…`` (``static/verify_signed.js``); any other makes
  a fresh nonce and shows ``certfree:request?aud=…&nonce=…&claims=…``; either as a QR and as
  text; the presentation made for it is verified with that audience and nonce;
* walk-up (亮证码): the holder shows first, for audience ``certfree:in-person`` with a nonce
  ``<unix seconds>.<random>``; the page accepts it only while that time is within
  ``WALK_UP_WINDOW`` seconds of now, and verifies with the nonce read from it.

What each scenario asks is data (``SCENARIOS``); the claims' labels come from the certificate
catalogue, as ``GET /api/v1/cert-types/{code}`` gives them.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree import certs, nodes
from certfree.api.deps import PUBLIC, NodeDep
from certfree.i18n import Catalog
from certfree.settings import NodeLevel
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

MESSAGES = Catalog.load("certfree.web", "messages/verify.json").by_language()
# Signed requests of a registered verifier (static/verify_signed.js), shared with the wallet.
RP_MESSAGES = Catalog.load("certfree.web", "messages/relying_parties.json").by_language()

WALK_UP_AUDIENCE = "certfree:in-person"
# A walk-up code renews every 50 s on the holder's page; 120 s leaves room for a slow scan and
# for the two devices' clocks to differ a little, and stays inside the node's own freshness
# window for the key-binding JWT (300 s).
WALK_UP_WINDOW = 120
# How long a request the page made stays open for a presentation: the node refuses a
# key-binding JWT older than 300 s anyway.
REQUEST_TTL = 300


@dataclass(frozen=True, slots=True)
class Scenario:
    """Where a certificate is shown, and the claims that place asks for (least first)."""

    key: str
    claims: tuple[str, ...]


# The claims each place needs and no more (《个人信息保护法》第六条: the minimum necessary).
SCENARIOS = (
    # Scenic spot: the elderly discount needs the age predicate, not the birth date.
    Scenario("scenic", ("age_over_60",)),
    # Hotel check-in: the guest's identity for the police registration of lodgers.
    Scenario("hotel", ("name", "id_number")),
    # Hospital registration: identity and what a medical record files a patient by.
    Scenario("hospital", ("name", "sex", "birth_date", "id_number")),
    # Police check on the spot: identity and registered address.
    Scenario("police", ("name", "sex", "id_number", "address")),
    # A couple's joint housing-fund or home-loan file: the marriage and who the spouses are.
    Scenario("married", ("registration_no", "holder_name", "spouse_name")),
)


def claim_labels(lang: str) -> dict[str, str]:
    """Every claim name of the catalogue with its label (the first type naming it wins), so
    the scenarios can say what they ask before any certificate is shown."""
    english = lang == "en"
    labels: dict[str, str] = {}
    for kind in certs.cert_types().values():
        for field in kind.fields:
            labels.setdefault(field.name, field.label_en if english else field.label)
        for predicate in kind.predicates:
            labels.setdefault(predicate.name, predicate.label_en if english else predicate.label)
    return labels


def _issuers(node: NodeDep) -> dict[str, str]:
    """The registry's issuing organs by USCC (a credential names its issuer by USCC)."""
    with node.db.session() as session:
        departments = nodes.list_nodes(session, level=NodeLevel.DEPARTMENT)
        return {department.uscc: department.name for department in departments}


@router.get("/verify", response_class=HTMLResponse, openapi_extra=PUBLIC)
async def verify_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The verifier's page; verifying needs a verifier's or a clerk's token."""
    lang = pick_language(request, node.settings.default_language)
    t = MESSAGES[lang]
    labels = claim_labels(lang)
    scenarios = [
        {
            "key": scenario.key,
            "name": t[f"scenario_{scenario.key}"],
            "claims": list(scenario.claims),
            "asks": t["sep"].join(labels[name] for name in scenario.claims),
        }
        for scenario in SCENARIOS
    ]
    return render_page(
        request,
        "verify.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": t,
            "scenarios": scenarios,
            "page_data": {
                "T": t,
                "LANG": lang,
                "DEVELOPMENT": node.settings.is_development,
                "SCENARIOS": scenarios,
                "LABELS": labels,
                "ISSUERS": await node.exchange.in_thread(_issuers, node),
                "WALK_UP_AUDIENCE": WALK_UP_AUDIENCE,
                "WALK_UP_WINDOW": WALK_UP_WINDOW,
                "REQUEST_TTL": REQUEST_TTL,
                "RP_T": RP_MESSAGES[lang],
            },
        },
    )
