"""Where a verifier gets Status List Tokens: over HTTP, from a directory, from the node.

Online the status list comes from its URI over HTTP; offline (police roadside, a scenic-spot
gate) from a directory of saved Status List Tokens. Either way a verified list is kept for
its token's ``ttl`` (Token Status List §12.2), so a revoked certificate fails within one
refresh and a busy gate does not refetch per person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
from sqlalchemy.orm import Session

from certfree.certs.statuslists import signed_status_list
from certfree.crypto import (
    KeyLike,
    KeyStore,
    StatusList,
    b64url_decode,
    verify_status_list_token,
)
from certfree.errors import CertfreeError, InvalidInput, NotFound
from certfree.safejson import loads_untrusted

__all__ = ["DEFAULT_TTL", "STATUS_LIST_MEDIA_TYPE", "StatusListSource", "StatusLists"]

STATUS_LIST_MEDIA_TYPE = "application/statuslist+jwt"  # Token Status List §14.6
_LOCAL_LIST = re.compile(r"/api/v1/status-lists/(?P<uscc>[0-9A-Z]{18})/(?P<no>[0-9]{1,9})$")
DEFAULT_TTL = 300  # when a token names no ttl: refetch after five minutes


@dataclass(frozen=True, slots=True)
class _Cached:
    until: int
    header: dict[str, Any]
    payload: dict[str, Any]
    status_list: StatusList


class StatusListSource(Protocol):
    """Where verified status lists come from (online, offline, the node's own database)."""

    def status_list(
        self, uri: str, resolve_key: Callable[[dict[str, Any], dict[str, Any]], KeyLike], now: int
    ) -> StatusList:
        """The verified list at ``uri``; StatusListInvalid or NotFound when it cannot be had."""
        ...


class StatusLists:
    """A StatusListSource over a ``fetch(uri) -> token`` function, caching per token ttl."""

    def __init__(self, fetch: Callable[[str], str]) -> None:
        self._fetch = fetch
        self._cache: dict[str, _Cached] = {}

    def status_list(
        self, uri: str, resolve_key: Callable[[dict[str, Any], dict[str, Any]], KeyLike], now: int
    ) -> StatusList:
        cached = self._cache.get(uri)
        if cached is not None and now < cached.until:
            # Skip the fetch and the signature check, not the trust decision: the cached
            # token's key must still be one of *this* credential's issuer's keys.
            try:
                resolve_key(cached.header, cached.payload)
            except CertfreeError:
                pass
            else:
                return cached.status_list
        token = self._fetch(uri)
        status_list = verify_status_list_token(token, resolve_key, expected_uri=uri, now=now)
        header, payload = _unverified(token)
        ttl = payload.get("ttl")
        until = now + (ttl if type(ttl) is int and ttl > 0 else DEFAULT_TTL)
        self._cache[uri] = _Cached(until, header, payload, status_list)
        return status_list

    @classmethod
    def from_database(cls, session: Session, keys: KeyStore) -> StatusLists:
        """The node's own lists, read from its database (no HTTP round trip to itself).

        Only URIs of the form ``.../api/v1/status-lists/<USCC>/<n>`` are served; another
        node's list is "unavailable" here rather than fetched, so a presentation cannot make
        the node call arbitrary URLs.
        """

        def fetch(uri: str) -> str:
            match = _LOCAL_LIST.search(httpx.URL(uri).path)
            if match is None:
                raise NotFound(f"状态列表 {uri} 不在本节点 (status list not served here)")
            return signed_status_list(session, keys, match["uscc"], int(match["no"])).token

        return cls(fetch)

    @classmethod
    def from_directory(cls, directory: Path) -> StatusLists:
        """Offline: every ``*.jwt`` file in ``directory``, found by its ``sub`` (the URI)."""
        tokens: dict[str, str] = {}
        for path in sorted(directory.glob("*.jwt")):
            token = path.read_text(encoding="ascii").strip()
            sub = _unverified(token)[1].get("sub")
            if isinstance(sub, str):
                tokens[sub] = token

        def fetch(uri: str) -> str:
            if uri not in tokens:
                raise NotFound(f"离线目录 {directory} 中没有状态列表 {uri} (status list not saved)")
            return tokens[uri]

        return cls(fetch)

    @classmethod
    def over_http(cls, client: httpx.Client) -> StatusLists:
        """Online: GET the URI (Token Status List §8.1) with ``client``."""

        def fetch(uri: str) -> str:
            try:
                response = client.get(uri, headers={"Accept": STATUS_LIST_MEDIA_TYPE})
                response.raise_for_status()
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL: a bad host
                raise NotFound(f"无法获取状态列表 {uri} (status list unavailable: {exc})") from exc
            return response.text.strip()

        return cls(fetch)


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = token.split(".")
    try:
        header, payload = (loads_untrusted(b64url_decode(p), what="token") for p in parts[:2])
    except (ValueError, InvalidInput):
        return {}, {}
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return {}, {}
    return header, payload
