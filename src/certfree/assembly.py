"""What one running node is made of, assembled from its settings: database, keys, tokens and
the exchange runtime with the messages the node answers. Below the adapters: the API, the pages
and the CLI take a node from here, and ``certfree.app`` serves one.
"""

from __future__ import annotations

from dataclasses import dataclass

from certfree.auth import TokenService
from certfree.auth.oidc import OidcVerifier
from certfree.crypto import KeyStore
from certfree.exchange import register_notices
from certfree.exchange.protocol.messages import MessageType
from certfree.exchange.protocol.runtime import ExchangeRuntime
from certfree.exchange.questions.catalogue import handle_ask
from certfree.exchange.questions.egress_link import egress_step
from certfree.exchange.verification import delivery as verification
from certfree.governance.subject_rights import RegisterFacts
from certfree.governance.subject_rights import delivery as corrections
from certfree.settings import Settings
from certfree.storage import Database

__all__ = ["NodeRuntime", "build_node", "exchange_runtime", "install_handlers"]


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
        exchange=exchange_runtime(settings, db, keys),
    )


def exchange_runtime(settings: Settings, db: Database, keys: KeyStore) -> ExchangeRuntime:
    """The node's exchange runtime, answering what :func:`install_handlers` registers (the
    app's and the ``certfree exchange`` commands', which answer for hosted departments)."""
    runtime = ExchangeRuntime(settings, db, keys)
    install_handlers(runtime)
    return runtime


def install_handlers(runtime: ExchangeRuntime) -> None:
    """Register on ``runtime`` the messages a node answers: questions (read only; what an
    answer carries out is counted in its commit), department verification, register notices
    and data subjects' corrections (PIPL 第46条), whose accepted answer also updates this
    node's copy of the registers, where it keeps one."""
    runtime.register_handler(
        MessageType.QUESTION_ASK, handle_ask, read_only=True, reply_step=egress_step
    )
    domains = {
        **verification.handlers(),
        **register_notices.handlers(),
        **corrections.handlers(RegisterFacts()),
    }
    for type_, handler in domains.items():
        runtime.register_handler(type_, handler)
