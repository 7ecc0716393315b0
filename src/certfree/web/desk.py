"""The service desk (窗口受理), at ``/desk``: the clerk's queue of this node's applications and,
at ``/desk/applications/{id}``, one case with its requirements, their proofs, its events and
the acts its state allows (受理, 不予受理, 补正, 纸质证明, 核验, 办结).

Both pages are shells, as ``/me`` is: the script calls ``/api/v1/applications`` with the
clerk's bearer token (``sessionStorage`` key ``certfree.desk``), so no case is rendered into a
page another could load. The server gives only the words: the labels of states, ways,
statuses, roles and actions in the page's language, and the working days around today, by
which the queue tells how many working days a case has left or is overdue (承诺时限 count
working days, :mod:`certfree.workdays`). The desk's one-question verification
tool is :mod:`certfree.web.desk_ask`, at ``/desk/ask``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from certfree import applications as apps
from certfree import certs, procedures
from certfree.api.deps import PUBLIC, NodeDep
from certfree.assembly import NodeRuntime
from certfree.governance import MaskRule, rule_for
from certfree.i18n import Catalog
from certfree.storage import utcnow
from certfree.web.application_terms import application_labels
from certfree.web.i18n import pick_language
from certfree.web.me import question_terms
from certfree.web.registry_names import organ_names
from certfree.web.rendering import render_page

__all__ = ["MESSAGES", "router", "service_items"]

router = APIRouter(tags=["web"])

MESSAGES = Catalog.load("certfree.web", "messages/desk.json").by_language()
SERVICE_ITEMS_LISTED = 300
# The working days sent with a page: a year back (overdue cases) and a season ahead (due days).
_DAYS_BACK, _DAYS_AHEAD = 366, 120


def service_items(node: NodeRuntime) -> list[dict[str, str]]:
    """This node's service items (code, name), for the filters and the verification tool."""
    with node.db.session() as session:
        _, items = procedures.list_service_items(session, limit=SERVICE_ITEMS_LISTED)
    return [{"code": item.code, "name": item.name} for item in items]


def working_days(today: dt.date) -> dict[str, str]:
    """The days around ``today`` as ``{"from": ISO day, "days": "0110…"}`` (1: a working day
    under the State Council's holiday arrangement, 调休 included), for the page's script."""
    start = today - dt.timedelta(days=_DAYS_BACK)
    end = today + dt.timedelta(days=_DAYS_AHEAD)
    working: set[dt.date] = set()
    day = start - dt.timedelta(days=1)
    while day <= end:
        day = apps.add_working_days(day, 1).day
        working.add(day)
    span = (end - start).days + 1
    marks = "".join("1" if start + dt.timedelta(days=n) in working else "0" for n in range(span))
    return {"from": start.isoformat(), "today": today.isoformat(), "days": marks}


# The rules a desk page applies to the claims a citizen disclosed (个人信息保护法 第六条: the
# clerk sees what identifies the person, not the whole): ID numbers, names, phones, addresses.
_DESK_MASKS = frozenset({MaskRule.ID_NUMBER, MaskRule.NAME, MaskRule.PHONE, MaskRule.ADDRESS})


def certificate_terms(lang: str) -> dict[str, dict[str, Any]]:
    """Each certificate type by code: its name, its claims' labels, and the masking rule of
    each claim the page shows masked (``masks``: claim → rule of certfree.governance.masking,
    by the field's class)."""
    english = lang == "en"
    terms: dict[str, dict[str, Any]] = {}
    for code, kind in certs.cert_types().items():
        labels = {f.name: f.label_en if english else f.label for f in kind.fields}
        labels |= {p.name: p.label_en if english else p.label for p in kind.predicates}
        masks = {f.name: rule_for(f.data_class, f.grade).value for f in kind.fields}
        masks = {field: rule for field, rule in masks.items() if rule in _DESK_MASKS}
        masks |= {
            f.name: MaskRule.ID_NUMBER.value
            for f in kind.fields
            if f.type is certs.FieldType.ID_NUMBER
        }
        if kind.holder_category is certs.HolderCategory.PERSON:
            masks["holder_id"] = MaskRule.ID_NUMBER.value
        name = kind.name_en if english else kind.name
        terms[code] = {"name": name, "labels": labels, "masks": masks}
    return terms


def claim_labels(lang: str) -> dict[str, str]:
    """The labels of the claims every credential may show beside its face data: the holder
    and the GB/T 36903 dates a verifier reads from the standard claims."""
    t = MESSAGES[lang]
    names = ("holder_id", "issue_date", "valid_from", "valid_to", "certificate_name")
    return {name: t[f"claim_{name}"] for name in names}


def _page(request: Request, node: NodeRuntime, template: str, **context: Any) -> HTMLResponse:
    lang = pick_language(request, node.settings.default_language)
    t = MESSAGES[lang]
    if "title" in context:
        t = {**t, "title": t[context.pop("title")]}
    return render_page(
        request,
        template,
        lang=lang,
        settings=node.settings,
        context={"t": t, "labels": application_labels(lang), **context},
    )


@router.get("/desk", response_class=HTMLResponse, openapi_extra=PUBLIC)
async def desk_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The queue: this node's applications, filtered and paged by the script (clerk token)."""
    today = apps.beijing_today(utcnow())
    return _page(
        request,
        node,
        "desk.html",
        states=[state.value for state in apps.AppState],
        service_items=await node.exchange.in_thread(service_items, node),
        workdays=working_days(today),
    )


@router.get("/desk/applications/{app_id}", response_class=HTMLResponse, openapi_extra=PUBLIC)
async def desk_case_page(
    request: Request,
    node: NodeDep,
    app_id: Annotated[str, Path(max_length=64, pattern=r"^[0-9A-Za-z-]+$")],
) -> HTMLResponse:
    """One case; the script loads it with the clerk's token (a stranger's case is a 404). The
    shell carries the public names of codes: certificate types and their claims, questions,
    nodes and organs."""
    lang = pick_language(request, node.settings.default_language)
    return _page(
        request,
        node,
        "desk_case.html",
        title="case_title",
        app_id=app_id,
        questions=question_terms(lang),
        cert_types=certificate_terms(lang),
        claim_labels=claim_labels(lang),
        organs=await organ_names(node),
        workdays=working_days(apps.beijing_today(utcnow())),
    )
