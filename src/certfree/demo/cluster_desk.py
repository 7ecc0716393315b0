"""A service desk of the demo cluster: one verification from the command line or a bench.

The desk works at a consumer node of ``cluster.json``. When the application carries the
applicant's consent (given when signing it, after the preview of what will be asked), the desk
obtains each data subject's consent attestation from the province node, as that person: on a
demo cluster it mints the person's sign-in token with the province's key, as the province's
demo sign-in would. Then it mints a clerk token with the consumer's own key and calls the
consumer's ``POST /api/v1/exchange/ask`` with the attestations.
"""

from __future__ import annotations

import functools
import getpass
from pathlib import Path
from typing import Any

import httpx

from certfree.auth import TokenService
from certfree.demo.cluster import sqlite_session
from certfree.errors import CertfreeError, InvalidInput
from certfree.exchange.protocol.routing import in_subtree
from certfree.questions import get_question
from certfree.settings import DEV_PASSPHRASE, Settings

__all__ = [
    "ask_node",
    "choose_consumer",
    "citizen_token",
    "clerk_token",
    "consent_attestations",
    "node_settings",
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


@functools.cache
def _tokens(directory: str, code: str, level: str) -> TokenService:
    # One per node: opening its key costs a scrypt, a load of questions needs many tokens.
    settings = node_settings({"dir": directory, "level": level}, code)
    return TokenService(settings, settings.key_store())


def clerk_token(node: dict[str, Any], code: str, subject: str | None = None) -> str:
    """A clerk's bearer token issued by node ``code`` with its own key."""
    tokens = _tokens(str(node["dir"]), code, str(node["level"]))
    return tokens.issue(
        "clerk",
        subject or f"desk:{getpass.getuser()}",
        organisation=code,
        ttl_seconds=min(3600, tokens.settings.token_ttl_seconds),
    )


def bureau_token(node: dict[str, Any], code: str) -> str:
    """A big-data bureau administrator's bearer token issued by node ``code`` (the province)."""
    tokens = _tokens(str(node["dir"]), code, str(node["level"]))
    return tokens.issue(
        "bureau_admin", f"bureau:{getpass.getuser()}", organisation=code, ttl_seconds=600
    )


def citizen_token(node: dict[str, Any], code: str, subject: str) -> str:
    """The sign-in token of person ``subject`` at node ``code`` (the province), with its key:
    what the province's demo sign-in hands that person."""
    tokens = _tokens(str(node["dir"]), code, str(node["level"]))
    return tokens.issue(
        "applicant", subject, ttl_seconds=min(300, tokens.settings.token_ttl_seconds)
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


def consent_attestations(
    manifest: dict[str, Any],
    consumer: str,
    *,
    question: str,
    args: dict[str, Any],
    service_item: str,
    purpose: str,
    timeout: float = 15.0,
) -> dict[str, str]:
    """Each data subject's consent attestation for ``question`` asked by ``consumer``, from the
    province node of the cluster, each obtained as that person; by subject.

    ProviderUnavailable when the province cannot be reached; the province's problem (as
    InvalidInput naming its field) when it refuses.
    """
    from certfree.exchange.errors import ProviderUnavailable  # noqa: PLC0415

    province = str(manifest["province"])
    node = manifest["nodes"][province]
    found = {}
    for subject in get_question(question).subjects_in(args):
        request = {
            "consumer": consumer,
            "service_item": service_item,
            "questions": [question],
            "purpose": purpose,
        }
        headers = {"Authorization": f"Bearer {citizen_token(node, province, subject)}"}
        try:
            response = httpx.post(
                f"{node['url']}/api/v1/consent/attestations",
                json=request,
                headers=headers,
                timeout=timeout,
            )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(province, f"同意凭据未能取得：{exc!r}") from exc
        if response.status_code != 201:
            problem = response.json()
            raise InvalidInput(
                f"省级节点 {province} 未签发同意凭据：{problem.get('detail')}",
                field=problem.get("field") or "consent",
            )
        found[subject] = str(response.json()["attestation"])
    return found


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
