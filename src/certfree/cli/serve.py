"""``certfree serve``: run a node's API and web pages, and its node-to-node TLS listener."""

from __future__ import annotations

import os

import typer
from starlette.types import ASGIApp

from certfree.app import create_app
from certfree.auth import NODE_KEY_OWNER
from certfree.cli.common import err_console, load_settings, node_keys, reported_errors
from certfree.cli.i18n import t
from certfree.cli.listeners import Listeners, serve_listeners


def serve(
    host: str = typer.Option("127.0.0.1"),
    port: int | None = typer.Option(None),
    exchange_port: int | None = typer.Option(
        None, help="node-to-node TLS port (CERTFREE_EXCHANGE_PORT; default port + 1)"
    ),
    workers: int = typer.Option(1, min=1),
    access_log: bool = typer.Option(True),
) -> None:
    """Serve the node (API at /api/v1, docs at /api/docs, web at /) and, on the exchange
    port, node-to-node hops over TLS 1.3 with client certificates."""
    with reported_errors():
        # The port served is the one public addresses default to (Settings.base_url); without
        # --port it is the settings' (CERTFREE_PORT, then PORT, then 8000).
        settings = load_settings()
        if port is not None:
            settings = settings.model_copy(update={"port": port})
        if exchange_port is not None:
            settings = settings.model_copy(update={"exchange_port": exchange_port})
        port = settings.port
        settings.check_production_ready()
        keys = node_keys(settings)
        if settings.is_development and not keys.keys(NODE_KEY_OWNER):
            info = keys.create(NODE_KEY_OWNER)
            err_console.print(t("serve.created_key", kid=info.kid, dir=settings.key_dir))
        if settings.is_development and not keys.encryption.keys(NODE_KEY_OWNER):
            # Peers encrypt the personal data of node messages to it (crypto.jwe).
            enc = keys.encryption.ensure(NODE_KEY_OWNER)
            err_console.print(t("keys.created_encryption", kid=enc.kid, owner=NODE_KEY_OWNER))
        if settings.public_url is None and host not in {"127.0.0.1", "localhost", "::1"}:
            err_console.print(
                t("serve.no_public_url", url=settings.base_url),
                highlight=False,
            )
        # A development node makes its CA and certificate here, once (key_dir/tls).
        listeners = Listeners(
            host, port, settings.exchange_listen_port, settings.tls_files(), access_log
        )
        if workers == 1:
            app: ASGIApp | None = create_app(settings)
        else:
            # Each worker builds its own app from the same CERTFREE_* environment.
            os.environ["CERTFREE_PORT"] = str(port)
            os.environ["CERTFREE_EXCHANGE_PORT"] = str(listeners.exchange_port)
            app = None
    serve_listeners(app, listeners, workers)
