"""The department admin's page, at ``/dept`` (部门管理).

A ``department_admin`` acts for the department node its token's ``org`` names (``370100-MZ``).
The page is a shell with four tabs, each a small script calling the node's own API with the
admin's bearer token (kept in ``sessionStorage`` under ``certfree.dept``):

* certificates of its organ: issue one of the types its department issues (the form built from
  ``GET /api/v1/cert-types/{code}``), list, suspend, resume and revoke with a reason;
* backfill (存量证照回填): upload a CSV/XLSX file of paper-era records as certificates of a
  type the organ issues (``/api/v1/backfill/runs``), the organ's runs with their counts, a
  run's rejected rows and its reject report (CSV); and the manual-review queue
  (``/api/v1/backfill/reviews``). A file over the upload limit runs on the command line
  (``certfree certs backfill``), as the page says;
* its catalog resources and demands, and the sharing requests it decides
  (``/api/v1/catalog/grants``: approve, or refuse with a reason);
* its department-verification inbox (``/api/v1/dept-verifications?side=inbox``), earliest
  deadline first, overdue ones marked, with the answer form.

The API decides what the admin may see and do; the page only offers the actions the API would
allow (a grant is decided by its provider), so a stranger department's objects are neither
listed nor actionable. Every enum value is shown by its label in the page's language: the
labels are the messages ``<enum>.<value>``, and a missing one fails at import.
"""

from __future__ import annotations

import enum
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree import catalog, certs, nodes
from certfree.api.deps import PUBLIC, NodeDep
from certfree.exchange.verification.requests import VerificationOutcome, VerificationStatus
from certfree.i18n import Catalog
from certfree.settings import NodeLevel
from certfree.web.i18n import alone, pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

MESSAGES = Catalog.load("certfree.web", "messages/dept.json").by_language()
# The corrections inbox (PIPL 第46条) has its own catalogue, shared with /me.
RIGHTS = Catalog.load("certfree.web", "messages/my_rights.json").by_language()

# Each enum the page shows, under the message prefix of its labels.
_ENUMS: dict[str, type[enum.StrEnum]] = {
    "cert_status": certs.CertStatus,
    "revocation_reason": certs.RevocationReason,
    "review_status": certs.ReviewStatus,
    "grant_status": catalog.GrantStatus,
    "share_type": catalog.ShareType,
    "verification_status": VerificationStatus,
    "outcome": VerificationOutcome,
}


def enum_labels(lang: str) -> dict[str, dict[str, str]]:
    """Every value of the page's enums with its label in ``lang`` (KeyError if one lacks it)."""
    text = MESSAGES[lang]
    return {
        prefix: {member.value: alone(text[f"{prefix}.{member.value}"], lang) for member in kind}
        for prefix, kind in _ENUMS.items()
    }


for _lang in MESSAGES:
    enum_labels(_lang)  # a label missing in either language fails here, not on the page


def _cert_types(lang: str) -> list[dict[str, str]]:
    """Each certificate type with its issuing department kind (the form shows the organ's)."""
    english = lang == "en"
    return [
        {
            "code": code,
            "name": kind.name_en if english else kind.name,
            "department": kind.department.value,
        }
        for code, kind in sorted(certs.cert_types().items())
    ]


def _node_names(node: NodeDep) -> dict[str, tuple[str, bool]]:
    """Every node of the register by code: its name, and whether it is a department node (a
    department admin acts for one; the others are named where they ask or are asked)."""
    with node.db.session() as session:
        return {
            row.code: (row.name or row.code, row.level == NodeLevel.DEPARTMENT)
            for row in nodes.list_nodes(session)
        }


@router.get("/dept", response_class=HTMLResponse, openapi_extra=PUBLIC)
async def department_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The department admin's page; its data is fetched by the script with the admin's token."""
    lang = pick_language(request, node.settings.default_language)
    names = await node.exchange.in_thread(_node_names, node)
    organisations = [
        {"code": code, "name": name} for code, (name, department) in names.items() if department
    ]
    data: dict[str, Any] = {
        "T": MESSAGES[lang] | RIGHTS[lang],
        "LABELS": enum_labels(lang),
        "TYPES": _cert_types(lang),
        "ORGS": {code: name for code, (name, _) in names.items()},
        "DEVELOPMENT": node.settings.is_development,
    }
    return render_page(
        request,
        "dept.html",
        lang=lang,
        settings=node.settings,
        context={"t": data["T"], "organisations": organisations, "data": data},
    )
