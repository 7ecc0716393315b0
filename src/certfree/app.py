"""``create_app(settings)``: wires one node's database, keys, tokens, API and web pages.

Nothing happens on import; every process state lives in the database or the key directory,
so several worker processes can serve one node.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from certfree import __version__
from certfree.auth import TokenService
from certfree.auth.oidc import OidcVerifier
from certfree.crypto import KeyStore
from certfree.exchange.runtime import ExchangeRuntime
from certfree.settings import Settings
from certfree.storage import Database


@dataclass
class NodeRuntime:
    """What a running node is made of; reachable from requests as ``request.app.state.node``."""

    settings: Settings
    db: Database
    keys: KeyStore
    tokens: TokenService
    exchange: ExchangeRuntime  # node-to-node messages; started in the lifespan


def build_node(settings: Settings) -> NodeRuntime:
    """Open the database and key store described by ``settings``."""
    settings.check_production_ready()
    db = Database(settings.database_url)
    keys = settings.key_store()
    oidc = (
        OidcVerifier(
            settings.oidc_issuer,
            audience=settings.oidc_audience,
            jwks_url=settings.oidc_jwks_url,
        )
        if settings.oidc_issuer
        else None
    )
    return NodeRuntime(
        settings=settings,
        db=db,
        keys=keys,
        tokens=TokenService(settings, keys, oidc),
        exchange=ExchangeRuntime(settings, db, keys),
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI application of one node."""
    from certfree.api import install_api  # noqa: PLC0415 - api imports app types
    from certfree.web import install_web  # noqa: PLC0415

    node = build_node(settings or Settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await node.exchange.start()
        try:
            yield
        finally:
            # Commit queued audit entries before the database closes.
            await node.exchange.stop()
            node.db.dispose()  # close pooled connections when the worker stops
            if node.tokens.oidc is not None:
                node.tokens.oidc.close()

    app = FastAPI(
        lifespan=lifespan,
        title=f"certfree · {node.settings.node_name}",
        version=__version__,
        description="无证明办事 node API: proof lists, e-certificates, data sharing.",
        docs_url=None,  # served by certfree.web.docs from the node's own files
        redoc_url=None,
    )
    app.state.node = node
    install_api(app)
    install_web(app)
    return app
