"""One wallet across cities: the holder's certificates from every node, through the province.

The province's index answers the signed-in holder with their own entries from every city and
department (``GET <province>/api/v1/me/certificates/index``), each naming the node that holds
the certificate; the wallet then fetches each certificate from that node with the holder's
token there (``GET <node>/api/v1/certificates/<identifier>``: the holder's own only). A
backfilled certificate comes without a holder key bound: claim it at its node first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from certfree.errors import NotFound
from certfree.safejson import loads_untrusted

__all__ = ["Gathered", "gather_certificates", "holder_index"]

_TIMEOUT = httpx.Timeout(10.0, connect=3.0)


@dataclass(frozen=True, slots=True)
class Gathered:
    """An index entry and, when it could be fetched, the certificate (else why not)."""

    entry: dict[str, Any]
    credential: str | None = None
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {**self.entry, "credential": self.credential, "reason": self.reason}


def _get(client: httpx.Client, url: str, token: str, what: str) -> Any:
    try:
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        raise NotFound(f"无法访问 {url}（{type(exc).__name__}）", field=what) from exc
    if response.status_code != 200:
        detail = response.text[:300]
        raise NotFound(f"{url} 答复 HTTP {response.status_code}：{detail}", field=what)
    return loads_untrusted(response.content, what=what)


def holder_index(client: httpx.Client, province_url: str, token: str) -> list[dict[str, Any]]:
    """The signed-in holder's entries from the province's index (every node's)."""
    url = province_url.rstrip("/") + "/api/v1/me/certificates/index"
    entries = _get(client, url, token, "province")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise NotFound(f"{url} 的答复不是证照索引列表", field="province")
    return entries


def gather_certificates(
    province_url: str, token: str, node_tokens: Mapping[str, str] | None = None,
    *, client: httpx.Client | None = None,
) -> list[Gathered]:  # fmt: skip
    """The holder's entries, each with its certificate fetched from its node.

    ``node_tokens`` maps a node code to the holder's token at that node (where nodes do not
    share one sign-in); ``token`` is used for nodes not named there.
    """
    own = client is None
    http = client or httpx.Client(timeout=_TIMEOUT)
    try:
        gathered = []
        for entry in holder_index(http, province_url, token):
            url = entry.get("certificate_url")
            if not isinstance(url, str):
                gathered.append(Gathered(entry, reason="节点未登记地址，无法取证"))
                continue
            bearer = (node_tokens or {}).get(str(entry.get("node")), token)
            try:
                found = _get(http, url, bearer, "certificate")
            except NotFound as exc:
                gathered.append(Gathered(entry, reason=exc.message))
                continue
            credential = found.get("credential") if isinstance(found, dict) else None
            gathered.append(
                Gathered(entry, credential=credential)
                if isinstance(credential, str)
                else Gathered(entry, reason="节点未返回证照")
            )
        return gathered
    finally:
        if own:
            http.close()
