"""Signed tree heads of the audit log, and the full integrity check of a local log.

A signed tree head (STH, after RFC 6962 §3.5 / RFC 9162 §4.10) is a compact JWS by the node
key over ``{"node", "tree_size", "root_hash" (hex), "timestamp" (ms since the epoch)}``.
Anyone holding two heads of a node can ask for a consistency proof between them; a node that
rewrote or dropped an entry it had already covered by a head cannot produce one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certfree.auth import NODE_KEY_OWNER
from certfree.crypto import KeyLike, KeyStore, sign_jws, verify_jws
from certfree.errors import CertfreeError
from certfree.governance.audit import merkle
from certfree.governance.audit.log import current_head
from certfree.governance.audit.models import AuditEntry, AuditSubject, AuditSubtree
from certfree.governance.errors import TreeHeadInvalid

__all__ = [
    "TREE_HEAD_TYPE",
    "LogCheck",
    "SignedTreeHead",
    "open_tree_head",
    "sign_tree_head",
    "verify_log",
]

TREE_HEAD_TYPE = "certfree-sth+jwt"


@dataclass(frozen=True)
class SignedTreeHead:
    node: str
    tree_size: int
    root_hash: bytes
    timestamp: int  # milliseconds since the epoch, as RFC 6962 §3.5 counts
    jws: str

    def to_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": self.timestamp,
            "signed": self.jws,
        }


def sign_tree_head(
    session: Session, keys: KeyStore, node_code: str, *, now_ms: int | None = None
) -> SignedTreeHead:
    """The current tree head, signed now with the node's active key (no database write)."""
    head = current_head(session)
    timestamp = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    payload = {
        "node": node_code,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash.hex(),
        "timestamp": timestamp,
    }
    jws = sign_jws(keys.signer(NODE_KEY_OWNER), payload, header={"typ": TREE_HEAD_TYPE})
    return SignedTreeHead(node_code, head.tree_size, head.root_hash, timestamp, jws)


def open_tree_head(
    jws: str, resolve_key: Callable[[str], KeyLike], *, node: str | None = None
) -> SignedTreeHead:
    """Verify a signed tree head and read it; TreeHeadInvalid says what is wrong.

    ``resolve_key`` maps the header's kid to one of the node's keys; ``node``, if given, is
    the node the head must be from.
    """
    try:
        header, payload = verify_jws(jws, resolve_key)
    except CertfreeError as exc:
        raise TreeHeadInvalid(f"树头签名无效：{exc.message}") from exc
    if header.get("typ") != TREE_HEAD_TYPE:
        raise TreeHeadInvalid(f"不是审计日志树头（typ={header.get('typ')!r}）")
    size, root, stamp, sender = (
        payload.get("tree_size"),
        payload.get("root_hash"),
        payload.get("timestamp"),
        payload.get("node"),
    )
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise TreeHeadInvalid(f"树头的 tree_size 应为非负整数，实际 {size!r}")
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        raise TreeHeadInvalid(f"树头的 timestamp 应为整数毫秒，实际 {stamp!r}")
    if not isinstance(sender, str):
        raise TreeHeadInvalid("树头缺少 node")
    if node is not None and sender != node:
        raise TreeHeadInvalid(f"树头来自节点 {sender}，而不是所查节点 {node}")
    try:
        root_hash = bytes.fromhex(root) if isinstance(root, str) else b""
    except ValueError:
        root_hash = b""
    if len(root_hash) != merkle.HASH_SIZE:
        raise TreeHeadInvalid(f"树头的 root_hash 应为 64 位十六进制，实际 {root!r}")
    return SignedTreeHead(sender, size, root_hash, stamp, jws)


@dataclass(frozen=True)
class LogCheck:
    """Outcome of :func:`verify_log`: ``faults`` is empty when the log is intact."""

    tree_size: int
    root_hash: bytes
    faults: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "ok": not self.faults,
            "faults": self.faults,
        }


def verify_log(session: Session, *, batch: int = 10_000) -> LogCheck:
    """Recompute the whole tree from the stored records and compare every stored hash.

    Checks: indexes dense from 0; each leaf hash = SHA-256(0x00 || record); each stored
    subtree hash equals the recomputed one and none is missing; the head's root equals the
    recomputed root. O(n) time and memory (a full audit, not a per-request check).

    This finds damage and edits that did not recompute every hash; a rewrite that did is
    caught only against heads that others kept (``certfree audit verify`` from outside).
    """
    head = current_head(session)
    faults: list[str] = []
    leaves: list[bytes] = []
    last = -1
    query = select(AuditEntry.leaf_index, AuditEntry.record, AuditEntry.leaf_hash)
    rows = session.execute(query.order_by(AuditEntry.leaf_index).execution_options(yield_per=batch))
    for index, record, stored in rows:
        if index != last + 1:
            faults.append(f"条目序号不连续：{last} 之后是 {index}")
        last = index
        computed = merkle.leaf_hash(record.encode("utf-8"))
        if computed != stored:
            faults.append(f"条目 {index} 的叶哈希与记录内容不符")
        leaves.append(computed)
    if len(leaves) != head.tree_size:
        faults.append(f"树头大小 {head.tree_size}，实有条目 {len(leaves)}")
    tree = merkle.MemoryTree(leaves)
    stored_count = 0
    nodes = select(AuditSubtree.level, AuditSubtree.node_index, AuditSubtree.hash)
    for level, index, value in session.execute(nodes.execution_options(yield_per=batch)):
        stored_count += 1
        if not 0 < level < len(tree.levels) or index >= len(tree.levels[level]):
            faults.append(f"多余的子树哈希 ({level}, {index})")
        elif tree(level, index) != value:
            faults.append(f"子树哈希 ({level}, {index}) 与重算结果不符")
    expected = sum(len(level) for level in tree.levels[1:])
    if stored_count != expected:
        faults.append(f"应有 {expected} 个完整子树哈希，实有 {stored_count} 个")
    root = merkle.root_hash(tree, len(leaves))
    if root != head.root_hash:
        faults.append("树头的根哈希与重算结果不符")
    orphans = session.scalar(
        select(func.count()).select_from(AuditSubject).where(AuditSubject.leaf_index > last)
    )
    if orphans:
        faults.append(f"{orphans} 条数据主体索引指向不存在的条目")
    return LogCheck(len(leaves), root, faults)
