"""The readable form of a citizen's data export (``GET /api/v1/me/data?format=html``): one
self-contained page, every section a table, in the reader's language; it is a download, so
it carries its own styles and no script."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from certfree.i18n import Catalog
from certfree.settings import Settings
from certfree.web.i18n import pick_language
from certfree.web.rendering import templates

__all__ = ["MESSAGES", "render_export"]

CATALOG = Catalog.load("certfree.web", "messages/my_rights.json")
MESSAGES = CATALOG.by_language()


def _cell(value: Any) -> str:
    """A value as text in a cell: nested objects as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Column heads (every key, in first-seen order) and the rows' cells."""
    heads: list[str] = []
    for row in rows:
        heads.extend(key for key in row if key not in heads)
    return heads, [[_cell(row.get(head)) for head in heads] for row in rows]


def render_export(request: Request, export: dict[str, Any], settings: Settings) -> str:
    """The export as an HTML document (escaped by the environment's autoescape)."""
    lang = pick_language(request, settings.default_language)
    t = MESSAGES[lang]
    sections = [
        {"key": name, "title": t[f"section.{name}"], "table": _table(rows)}
        for name, rows in export["sections"].items()
    ]
    intro = CATALOG.text(
        "export_intro", lang, node=export["node"], at=export["generated_at"], limit=export["limit"]
    )
    return templates.env.get_template("my_data_export.html").render(
        lang=lang, t=t, export=export, sections=sections, intro=intro
    )
