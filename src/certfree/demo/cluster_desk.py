"""A service desk of the demo cluster: one verification from the command line or a bench.

The desk works at a consumer node of ``cluster.json``: it records the applicant's consent
there when the application carries it (as the applicant does when signing the application,
after the preview of what will be asked), mints a clerk token with that node's own key and
calls the node's ``POST /api/v1/exchange/ask``.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import httpx

from certfree.auth import TokenService
from certfree.demo.cluster import sqlite_session
from certfree.errors import CertfreeError, InvalidInput
from certfree.exchange.routing import in_subtree
from certfree.settings import DEV_PASSPHRASE, Settings

__all__ = [
    "ask_node",
    "choose_consumer",
    "clerk_token",
    "node_settings",
    "record_consent",
    "service_item_code",
    "service_name",
]


def choose_consumer(manifest: dict[str, Any], provider: str, at: str | None) -> str:
    """``at``, or by default a region node outside the provider's own city, so the question
    crosses the province (a city desk asking another city's department); else the province."""
    nodes = manifest["nodes"]
    if provider not in nodes:
        raise InvalidInput(f"集群中没有节点 {provider}（有 {', '.join(nodes)}）", field="from")
    if at is not None:
        if at not in nodes:
            raise InvalidInput(f"集群中没有节点 {at}", field="at")
        return at
    cities = [code for code, node in nodes.items() if node["level"] == "city"]
    outside = [code for code in cities if not in_subtree(code, provider)]
    return str((outside or [manifest["province"]])[0])


def _database(node: dict[str, Any]) -> Path:
    """The SQLite file of ``node``, an entry of the cluster manifest."""
    return Path(node["dir"]) / "certfree.db"


def node_settings(node: dict[str, Any], code: str) -> Settings:
    """Settings of node ``code`` as the cluster manifest's entry ``node`` describes it."""
    directory = Path(node["dir"])
    return Settings(
        node_code=code,
        node_level=node["level"],
        database_url=f"sqlite:///{_database(node)}",
        key_dir=directory / "keys",
        key_passphrase=DEV_PASSPHRASE,
    )


def clerk_token(node: dict[str, Any], code: str, subject: str | None = None) -> str:
    """A clerk's bearer token issued by node ``code`` with its own key."""
    settings = node_settings(node, code)
    tokens = TokenService(settings, settings.key_store())
    return tokens.issue(
        "clerk",
        subject or f"desk:{getpass.getuser()}",
        organisation=code,
        ttl_seconds=min(3600, settings.token_ttl_seconds),
    )


def service_item_code(node: dict[str, Any], service_item: str) -> str:
    """The code of ``service_item`` at the consumer: a code as given, or the code of the one
    service item whose name it is exactly (a desk clerk knows 内地居民结婚登记 by name)."""
    from certfree.procedures import list_service_items  # noqa: PLC0415

    with sqlite_session(_database(node)) as session:
        _, found = list_service_items(session, query=service_item)
    named = [item.code for item in found if item.name == service_item]
    return named[0] if len(named) == 1 else service_item


def service_name(node: dict[str, Any], service_item: str) -> str:
    """The service item's name at the consumer (its purpose in words), or the code."""
    from certfree.procedures import get_service_item  # noqa: PLC0415

    try:
        with sqlite_session(_database(node)) as session:
            return str(get_service_item(session, service_item).name)
    except CertfreeError:
        return service_item


def record_consent(
    node: dict[str, Any], code: str, *, question: str, args: dict[str, Any], service_item: str
) -> list[str]:
    """Record each data subject's consent to ``question`` at consumer ``code`` unless a valid
    one exists; the subjects whose consent was recorded now."""
    from certfree.exchange.questions import get_question  # noqa: PLC0415
    from certfree.governance import consent_snapshot, give  # noqa: PLC0415

    definition = get_question(question)
    recorded = []
    with sqlite_session(_database(node)) as session:
        for subject in definition.subjects_in(args):
            found = consent_snapshot(
                session,
                subject_id=subject,
                consumer=code,
                service_item=service_item,
                question=question,
            )
            if found is None:
                give(
                    session,
                    subject_id=subject,
                    consumer=code,
                    service_item=service_item,
                    questions=[definition],
                    recorded_by=f"desk:{getpass.getuser()}",
                )
                recorded.append(subject)
    return recorded


def ask_node(
    url: str, token: str, payload: dict[str, Any], timeout: float = 15.0
) -> httpx.Response:
    """``POST /api/v1/exchange/ask`` at the consumer node."""
    return httpx.post(
        f"{url}/api/v1/exchange/ask",
        json=payload,
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
    )
