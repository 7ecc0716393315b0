"""Fetching one page of a node's catalog change feed, for the harvest (``harvesting.harvest``).

:class:`HttpChangesClient` asks ``GET /api/v1/catalog/changes`` (``catalog.changes``) with a
request signed by this node's key, under a short timeout (connect 2 s, read 5 s), and turns
every way the node can fail into a :class:`HarvestFailed` naming it: no connection or answer
(:class:`NodeUnreachable`), a refusal (:class:`HarvestRefused`), or an answer that is not a
JSON object (:class:`InvalidFeed`). Tests swap in any :class:`ChangesClient`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from certfree.catalog.changes import sign_harvest_request
from certfree.catalog.errors import HarvestRefused, InvalidFeed, NodeUnreachable
from certfree.crypto import Signer

__all__ = ["CHANGES_PATH", "DEFAULT_TIMEOUT", "ChangesClient", "HttpChangesClient", "Source"]

CHANGES_PATH = "/api/v1/catalog/changes"
DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)  # per request: connect 2 s, read 5 s


@dataclass(frozen=True, slots=True)
class Source:
    """A node to harvest: its code and base URL (None when it registered no endpoint)."""

    code: str
    url: str | None


class ChangesClient(Protocol):
    """Fetches one page of a node's change feed; raises a HarvestFailed subclass."""

    def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]: ...


class HttpChangesClient:
    """:class:`ChangesClient` over HTTP, each request signed with this node's key."""

    def __init__(
        self,
        signer: Signer,
        harvester: str,
        *,
        client: httpx.Client | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.signer = signer
        self.harvester = harvester
        self.timeout = timeout
        self.client = client or httpx.Client(timeout=timeout)

    def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]:
        if not source.url:
            raise NodeUnreachable(source.code, "未登记节点地址（endpoint_url）")
        credential = sign_harvest_request(
            self.signer, harvester=self.harvester, node=source.code, since=since, limit=limit
        )
        try:
            response = self.client.get(
                source.url.rstrip("/") + CHANGES_PATH,
                params={"since": since, "limit": limit},
                headers={"Authorization": f"Bearer {credential}"},
                timeout=self.timeout,
            )
        except httpx.ConnectTimeout as exc:
            raise NodeUnreachable(source.code, f"连接超时（{self.timeout.connect} 秒）") from exc
        except httpx.TimeoutException as exc:
            raise NodeUnreachable(source.code, f"应答超时（{self.timeout.read} 秒）") from exc
        except httpx.ConnectError as exc:
            raise NodeUnreachable(source.code, f"无法连接：{exc}") from exc
        except httpx.HTTPError as exc:
            raise NodeUnreachable(source.code, f"传输错误 {type(exc).__name__}") from exc
        detail = _problem_detail(response)
        if response.status_code in (401, 403):
            raise HarvestRefused(source.code, f"HTTP {response.status_code}：{detail}")
        if response.status_code != 200:
            raise NodeUnreachable(source.code, f"HTTP {response.status_code}：{detail}")
        try:
            page = response.json()
        except ValueError as exc:
            raise InvalidFeed(source.code, "应答不是 JSON") from exc
        if not isinstance(page, dict):
            raise InvalidFeed(source.code, "应答不是 JSON 对象")
        return page

    def close(self) -> None:
        self.client.close()


def _problem_detail(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(problem, dict):
        return str(problem.get("detail") or problem.get("title") or "")[:500]
    return ""
