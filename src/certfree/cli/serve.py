"""``certfree serve``: run a node's API and web pages."""

from __future__ import annotations

import os

import typer
import uvicorn
from starlette.types import ASGIApp

from certfree.app import create_app
from certfree.auth import NODE_KEY_OWNER
from certfree.cli.common import err_console, load_settings, node_keys, reported_errors
from certfree.settings import Settings


def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(
        int(os.environ.get("PORT", "8000")), help="port to listen on (env PORT)"
    ),
    workers: int = typer.Option(1, min=1, help="worker processes sharing the node's database"),
    access_log: bool = typer.Option(True, help="log every request (off for the demo cluster)"),
) -> None:
    """Serve the node (API at /api/v1, docs at /api/docs, web at /)."""
    with reported_errors():
        # The port served is the one public addresses default to (Settings.base_url).
        settings = load_settings().model_copy(update={"port": port})
        settings.check_production_ready()
        keys = node_keys(settings)
        if settings.is_development and not keys.keys(NODE_KEY_OWNER):
            info = keys.create(NODE_KEY_OWNER)
            err_console.print(f"development: created node key {info.kid} in {settings.key_dir}")
        if settings.public_url is None and host not in {"127.0.0.1", "localhost", "::1"}:
            err_console.print(
                f"warning: certificates and links will name {settings.base_url}; set "
                "CERTFREE_PUBLIC_URL to the address others reach this node at",
                highlight=False,
            )
        if workers == 1:
            uvicorn.run(
                fast_app(settings),
                host=host,
                port=port,
                log_level="info",
                access_log=access_log,
            )
        else:
            # Each worker builds its own app from the same CERTFREE_* environment.
            os.environ["CERTFREE_PORT"] = str(port)
            uvicorn.run(
                "certfree.cli.serve:fast_app",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                access_log=access_log,
            )


def fast_app(settings: Settings | None = None) -> ASGIApp:
    """The node's app with node messages served on the short path (see MessagesFastPath);
    uvicorn's worker factory calls it without settings (read from CERTFREE_*)."""
    from certfree.api.exchange import MessagesFastPath  # noqa: PLC0415 - the API

    return MessagesFastPath(create_app(settings))
