"""Showing the reports of a feed harvest (``catalog harvest``, ``certs index harvest``).

Both harvests run the same loop (``nodes.feeds.harvest_feeds``), so they report the same way:
a progress line per stored page, then one report per node as JSON or a table (node, status
in colour, pages, the harvest's own counts, reason), and exit status 1 when any node was not
harvested, so that a cron job notices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from certfree.cli.common import err_console, print_json
from certfree.cli.i18n import headings, t
from certfree.nodes.feeds import FeedStatus

__all__ = ["print_harvest_progress", "print_harvest_reports"]


class _Report(Protocol):
    @property
    def node(self) -> str: ...
    @property
    def status(self) -> FeedStatus: ...
    @property
    def pages(self) -> int: ...
    @property
    def cursor(self) -> int: ...
    @property
    def reason(self) -> str | None: ...
    def as_json(self) -> dict[str, Any]: ...


_R = TypeVar("_R", bound=_Report)


def print_harvest_progress(report: _Report) -> None:
    """The line written to stderr after each stored page."""
    err_console.print(
        t("catalog.harvest.progress", node=report.node, pages=report.pages, cursor=report.cursor),
        highlight=False,
    )


def print_harvest_reports(
    reports: Sequence[_R], *, as_json: bool, table: str, counts: Callable[[_R], Sequence[object]]
) -> None:
    """The reports as JSON or a table (headings ``table``, ``counts`` after the pages); exit
    status 1 when any node was not harvested."""
    if as_json:
        print_json([r.as_json() for r in reports])
    else:
        shown = Table(*headings(table))
        for r in reports:
            colour = "green" if r.status is FeedStatus.OK else "red"
            shown.add_row(
                r.node, f"[{colour}]{r.status.value}[/{colour}]", str(r.pages),
                *(str(c) for c in counts(r)), r.reason or "",
            )  # fmt: skip
        Console(soft_wrap=True).print(shown)
    if any(r.status is not FeedStatus.OK for r in reports):
        raise typer.Exit(1)
