"""What one running node is made of, assembled from its settings: database, keys, tokens and
the exchange runtime. Below the adapters: the API, the pages and the CLI take a node from here,
and ``certfree.app`` serves one.
"""

from __future__ import annotations

from dataclasses import dataclass

from certfree.auth import TokenService
from certfree.auth.oidc import OidcVerifier
from certfree.crypto import KeyStore
from certfree.exchange.protocol.runtime import ExchangeRuntime
from certfree.settings import Settings
from certfree.storage import Database

__all__ = ["NodeRuntime", "build_node"]


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
