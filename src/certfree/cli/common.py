"""What every command shares: settings, error reporting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console

from certfree.errors import CertfreeError
from certfree.settings import Settings

err_console = Console(stderr=True, soft_wrap=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn certfree errors into a red message on stderr and exit status 1."""
    try:
        yield
    except CertfreeError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc


def load_settings() -> Settings:
    """Settings from CERTFREE_* variables; a bad value says which variable to fix."""
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "CERTFREE_" + "_".join(str(p) for p in error["loc"]).upper()
            err_console.print(f"[red]error:[/red] {name}: {error['msg']}", highlight=False)
        raise typer.Exit(2) from exc
