"""The big-data bureau's page, at ``/bureau`` (大数据局 / 首席数据官).

The proof-item list as the bureau keeps it (edit, add a basis, abolish, import, repeal a law
and see what it flags, publish, compare versions, the abolition report), the node registry
with the cluster's health, the figures of applications as charts with their tables, what left
the node, and every labelled field's grade, masking and receivers. A
shell like ``/desk``: the scripts (static/bureau*.js) call the API with the signed-in
person's bearer token; a CIO reads, only a bureau administrator changes the list. On a
development node ``/bureau?as=<staff id>`` signs a bureau administrator in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree import classification
from certfree.api.deps import PUBLIC, NodeDep
from certfree.applications import AppState
from certfree.governance import MaskRule
from certfree.i18n import Catalog
from certfree.proofs import BasisLevel, ExcludedArea, ProofItemStatus, Way
from certfree.web.i18n import alone, pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

MESSAGES = Catalog.load("certfree.web", "messages/bureau.json").by_language()
# The vocabularies without labels of their own, worded in messages/bureau.json as <group>.<value>.
WORDED = ("change", "node_level", "node_status", "peer_state", "field", "source", "mask")


class _Labelled(Protocol):
    @property
    def label_zh(self) -> str: ...

    @property
    def label_en(self) -> str: ...


def _labels(members: Iterable[_Labelled], lang: str) -> dict[str, str]:
    return {str(m): m.label_zh if lang == "zh-CN" else m.label_en for m in members}


def _standing_alone(labels: dict[str, dict[str, str]], lang: str) -> dict[str, dict[str, str]]:
    """Labels shown on their own (a badge, a cell, an option) begin with a capital in English."""
    return {group: {v: alone(w, lang) for v, w in words.items()} for group, words in labels.items()}


def enum_labels(lang: str) -> dict[str, dict[str, str]]:
    """Every enum the page shows, value → words in ``lang`` (never a raw value on screen)."""
    t = MESSAGES[lang]
    worded = {
        group: {
            key.split(".", 1)[1]: text for key, text in t.items() if key.startswith(group + ".")
        }
        for group in WORDED
    }
    # Grades by number, as the catalog page shows them (GB/T 43697-2024 附录G、附录H).
    worded["grade"] = {
        str(g.grade): f"{g.grade} {g.name if lang == 'zh-CN' else g.name_en}"
        for g in classification.grades()
    }
    enums: dict[str, Iterable[_Labelled]] = {
        "way": Way,
        "level": BasisLevel,
        "excluded": ExcludedArea,
        "status": ProofItemStatus,
        "app_state": AppState,
    }
    return _standing_alone(
        worded | {name: _labels(members, lang) for name, members in enums.items()}, lang
    )


for _lang, _words in MESSAGES.items():
    # Every masking rule is worded in both languages: a rule missing fails here, not on the page.
    _missing = [rule for rule in MaskRule if f"mask.{rule}" not in _words]
    if _missing:
        raise KeyError(f"messages/bureau.json ({_lang}) lacks mask.{_missing[0]}")


@router.get("/bureau", response_class=HTMLResponse, openapi_extra=PUBLIC)
def bureau_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The bureau's page; what it shows comes from the API once someone signs in."""
    lang = pick_language(request, node.settings.default_language)
    return render_page(
        request,
        "bureau.html",
        lang=lang,
        settings=node.settings,
        context={"t": MESSAGES[lang], "labels": enum_labels(lang)},
    )
