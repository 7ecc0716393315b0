"""Watching another node's audit log from outside: fetch its signed head, check the
signature with the node's own keys, and prove it consistent with the head seen last time.

This is the monitor's side of RFC 9162 §8.2: a node that rewrote, dropped or forked entries
already covered by a head we kept cannot give a consistency proof to its new head, and the
two signed heads together are evidence of it. Heads seen are kept per node in a state
directory (``<state_dir>/<node>.json``); a failed check never overwrites the saved head.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from certfree.crypto import KeyLike, write_private_file
from certfree.errors import InvalidInput, KeyNotFound, NotFound
from certfree.governance.audit import merkle
from certfree.governance.audit.heads import SignedTreeHead, open_tree_head
from certfree.governance.errors import AuditNodeUnreachable, AuditProofInvalid, TreeHeadInvalid

__all__ = ["HeadCheck", "check_node_head", "node_url"]


@dataclass(frozen=True)
class HeadCheck:
    """What ``check_node_head`` established about a node's new head."""

    node: str
    url: str
    head: SignedTreeHead
    previous: SignedTreeHead | None
    verdict: str
    key_source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "url": self.url,
            "head": self.head.to_json(),
            "previous": self.previous.to_json() if self.previous else None,
            "verdict": self.verdict,
            "key_source": self.key_source,
        }


def node_url(node: str, cluster_file: Path) -> str:
    """Base URL of ``node`` from a cluster state file ``{"nodes": {code: {"url": …}}}``."""
    try:
        nodes = json.loads(cluster_file.read_text(encoding="utf-8"))["nodes"]
        return str(nodes[node]["url"]).rstrip("/")
    except FileNotFoundError:
        raise NotFound(
            f"未找到集群状态文件 {cluster_file}；请用 --url 指定节点 {node} 的地址"
        ) from None
    except (KeyError, TypeError):
        raise NotFound(f"集群状态文件 {cluster_file} 中没有节点 {node}；请用 --url 指定") from None
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"无法读取集群状态文件 {cluster_file}：{exc}", field="cluster") from exc


def _get(client: httpx.Client, url: str, params: Mapping[str, int] | None = None) -> Any:
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise AuditNodeUnreachable(f"无法访问 {url}：{type(exc).__name__}: {exc}") from exc
    if response.status_code != httpx.codes.OK:
        raise AuditNodeUnreachable(f"{url} 返回 HTTP {response.status_code}：{response.text[:200]}")
    try:
        return response.json()
    except ValueError as exc:
        raise AuditNodeUnreachable(f"{url} 返回的不是 JSON") from exc


def _node_keys(client: httpx.Client, node: str, url: str) -> dict[str, KeyLike]:
    """The node keys (owner "node") of the node at ``url``, which must say it is ``node``."""
    identity = _get(client, f"{url}/api/v1/node")
    if identity.get("code") != node:
        raise TreeHeadInvalid(f"{url} 上的节点是 {identity.get('code')!r}，不是 {node}")
    node_kids = set(identity.get("key_ids") or [])
    jwks = _get(client, f"{url}/.well-known/jwks.json")
    return {
        str(jwk["kid"]): jwk
        for jwk in jwks.get("keys", [])
        if isinstance(jwk, dict) and jwk.get("kid") in node_kids
    }


def _load_saved(path: Path) -> SignedTreeHead | None:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        return SignedTreeHead(
            node=saved["node"],
            tree_size=int(saved["tree_size"]),
            root_hash=bytes.fromhex(saved["root_hash"]),
            timestamp=int(saved["timestamp"]),
            jws=saved["signed"],
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"保存的树头 {path} 已损坏：{exc}", field="state_dir") from exc


def _save(path: Path, head: SignedTreeHead) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Atomic: a crash leaves the old head or the new one.
    write_private_file(path, json.dumps(head.to_json(), ensure_ascii=False, indent=2).encode())


def _check_against(
    client: httpx.Client, url: str, previous: SignedTreeHead, head: SignedTreeHead
) -> str:
    evidence = f"请保留两个签名树头作为证据：旧 {previous.jws} 新 {head.jws}"
    if head.tree_size < previous.tree_size:
        raise AuditProofInvalid(
            f"日志变短：上次 {previous.tree_size} 条，现在 {head.tree_size} 条。{evidence}"
        )
    if head.tree_size == previous.tree_size:
        if head.root_hash != previous.root_hash:
            raise AuditProofInvalid(
                f"大小同为 {head.tree_size} 而根哈希不同：日志被改写。{evidence}"
            )
        return f"与上次树头相同（{head.tree_size} 条）"
    if previous.tree_size == 0:
        return f"上次为空日志，现在 {head.tree_size} 条"
    body = _get(
        client,
        f"{url}/api/v1/audit/consistency",
        {"first": previous.tree_size, "second": head.tree_size},
    )
    try:
        proof = [bytes.fromhex(node) for node in body["proof"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise AuditProofInvalid(f"一致性证明格式有误：{exc}") from exc
    try:
        merkle.verify_consistency(
            previous.tree_size, head.tree_size, previous.root_hash, head.root_hash, proof
        )
    except AuditProofInvalid as exc:
        raise AuditProofInvalid(f"{exc.message}。{evidence}") from exc
    return f"与上次树头一致（{previous.tree_size} → {head.tree_size} 条，一致性证明已验证）"


def check_node_head(
    client: httpx.Client,
    *,
    node: str,
    url: str,
    state_dir: Path,
    trusted_keys: Mapping[str, KeyLike] | None = None,
    key_source: str = "",
) -> HeadCheck:
    """Fetch ``node``'s signed head from ``url``, verify it, and check it extends the saved one.

    ``trusted_keys`` (kid → key) are the node's keys from a source other than the node, such
    as the province's signed registry; without them the node's own published node keys are
    used (trust on first use). Saves the new head only when every check passed. Raises
    TreeHeadInvalid (signature, wrong node), AuditProofInvalid (log shrank, rewritten,
    forked) or AuditNodeUnreachable.
    """
    url = url.rstrip("/")
    if trusted_keys is None:
        keys = _node_keys(client, node, url)
        key_source = key_source or f"节点自己公布的密钥（{url}/.well-known/jwks.json）"
    else:
        keys = dict(trusted_keys)

    def resolve(kid: str) -> KeyLike:
        if kid not in keys:
            raise KeyNotFound(f"节点 {node} 没有公布密钥 {kid}")
        return keys[kid]

    signed = _get(client, f"{url}/api/v1/audit/head").get("signed")
    if not isinstance(signed, str):
        raise TreeHeadInvalid(f"{url} 的树头缺少签名")
    head = open_tree_head(signed, resolve, node=node)
    path = state_dir / f"{node}.json"
    previous = _load_saved(path)
    verdict = (
        f"首次记录该节点的树头（{head.tree_size} 条）"
        if previous is None
        else _check_against(client, url, previous, head)
    )
    _save(path, head)
    return HeadCheck(node, url, head, previous, verdict, key_source)
