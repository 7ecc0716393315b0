"""``create_app(settings)``: wires one node's database, keys, tokens, API and web pages.

Nothing happens on import; every process state lives in the database or the key directory,
so several worker processes can serve one node.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from certfree import __version__
from certfree.assembly import build_node
from certfree.governance import install_log_masking
from certfree.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI application of one node."""
    from certfree.api import install_api  # noqa: PLC0415 - the adapters load on demand
    from certfree.web import install_web  # noqa: PLC0415

    node = build_node(settings or Settings())
    install_log_masking()  # no raw ID number in any log line this process writes

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
