"""The pages a problem's ``type`` URI resolves to (RFC 9457 §3.1.1: a URI that, when
dereferenced, gives human-readable documentation of the problem type)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree.api.deps import NodeDep
from certfree.api.problems import ProblemType, problem_types
from certfree.errors import NotFound
from certfree.i18n import Catalog
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"], include_in_schema=False)

MESSAGES = Catalog.load("certfree.web", "messages/problems.json").by_language()


def _by_status(types: Iterable[ProblemType]) -> list[tuple[int, list[ProblemType]]]:
    """The types under their HTTP status, each status folded on the page: the whole list is
    a hundred types, too long to scroll through on a phone."""
    ordered = sorted(types, key=lambda k: (k.status, k.slug))
    return [(status, list(kinds)) for status, kinds in groupby(ordered, lambda k: k.status)]


@router.get("/problems", response_class=HTMLResponse)
def all_problems(request: Request, node: NodeDep) -> HTMLResponse:
    lang = pick_language(request, node.settings.default_language)
    return render_page(
        request,
        "problems.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": MESSAGES[lang],
            "groups": _by_status(problem_types().values()),
            "single": False,
        },
    )


@router.get("/problems/{slug}", response_class=HTMLResponse)
def one_problem(slug: str, request: Request, node: NodeDep) -> HTMLResponse:
    found = problem_types().get(slug)
    if found is None:
        raise NotFound(f"没有错误类型 {slug}（no problem type {slug}）", field="slug")
    lang = pick_language(request, node.settings.default_language)
    return render_page(
        request,
        "problems.html",
        lang=lang,
        settings=node.settings,
        context={"t": MESSAGES[lang], "groups": _by_status([found]), "single": True},
    )
