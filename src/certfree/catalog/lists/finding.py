"""Rows of a published list that a reader asks for: equal to chosen values, holding a word.

A snapshot's rows are canonical JSON Lines (see ``snapshots``), so each wanted value has one
exact spelling in a line (``"provider":"济南市公安局"``) and a line is parsed only when its
bytes can match: a filtered page of a 350,000-row list does not parse every row. Each parsed
row is then checked on its values, so a key or an escaped quote never matches by accident.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from certfree.catalog.lists.models import ListSnapshot
from certfree.catalog.lists.snapshots import _lines

__all__ = ["find_rows"]

SEARCH_MAX = 100  # characters of a search word, as the page's box allows


def _spelled(key: str, value: str) -> bytes:
    """How ``key: value`` is written in a canonical line (see ``snapshots._canonical``)."""
    return json.dumps({key: value}, ensure_ascii=False, separators=(",", ":"))[1:-1].encode()


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def find_rows(
    snapshot: ListSnapshot,
    *,
    where: Mapping[str, str] | None = None,
    search: str = "",
    start: int = 0,
    stop: int | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """How many rows have each column of ``where`` equal to its value and hold ``search`` in
    some value (case-insensitive), and those rows' ``[start:stop]``, in published order."""
    wanted = {key: value for key, value in (where or {}).items() if value}
    needles = [_spelled(key, value) for key, value in wanted.items()]
    word = search.strip().lower()[:SEARCH_MAX]
    # JSON escapes only quotes, backslashes and control characters: spelled like that, the
    # word appears in the line's bytes (ASCII lowered by bytes.lower, as str.lower does).
    spelled_word = json.dumps(word, ensure_ascii=False)[1:-1].encode()
    total = 0
    found: list[dict[str, Any]] = []
    for line in _lines(snapshot):
        if any(needle not in line for needle in needles):
            continue
        if word and spelled_word not in line.lower():
            continue
        row = json.loads(line)
        if any(row.get(key) != value for key, value in wanted.items()):
            continue
        if word and not any(word in _text(value).lower() for value in row.values()):
            continue
        if start <= total and (stop is None or total < stop):
            found.append(row)
        total += 1
    return total, found
