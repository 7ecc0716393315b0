"""A citizen's accesses across the cascade: every node's log entries about them, checked.

The node where the citizen signed in (their home node) asks every active node of the registry
for the entries naming them. It does not pass on the citizen's own token: for each node it
mints one that lives a minute and names that node as its audience (``aud``), so a node that
receives one cannot replay it at another. The receiving node accepts it only if it is signed by
a key the registry lists for an active node that is also the token's issuer.

Each node's answer is checked here before it is shown: the tree head's signature against that
node's keys in the registry, each entry's record against its leaf, the subject's commitment in
the leaf and each inclusion proof against the head (RFC 9162 §2.1.3.2). The citizen's browser
checks the proofs again itself. A node that is down is reported as unreachable after at most
one read timeout, never waited on longer.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from certfree.auth import Principal, Role, TokenService, require_role
from certfree.crypto import Verifier
from certfree.errors import AuthError, CertfreeError, KeyNotFound
from certfree.exchange.protocol.clients import PEER_ERRORS, peer_error
from certfree.exchange.protocol.hops import HopResult
from certfree.exchange.protocol.runtime import ExchangeRuntime
from certfree.exchange.protocol.signing import Peer
from certfree.governance import AuditProofInvalid, TreeHeadInvalid, open_tree_head
from certfree.governance.audit import merkle
from certfree.nodes import NodeStatus

__all__ = ["PEER_PATH", "NodeAccesses", "authenticate_peer_token", "gather_accesses"]

PEER_PATH = "/api/v1/exchange/subject-accesses"
PEER_TOKEN_SECONDS = 60


@dataclass(frozen=True)
class NodeAccesses:
    """One node's part of a citizen's accesses.

    ``status``: ``ok`` (checked), ``unreachable`` (down, frozen or failing), ``refused`` (the
    node would not answer; ``detail`` says why) or ``invalid`` (its answer failed a check).
    ``view`` is the node's ``/me/accesses`` document when ``ok``.
    """

    node: str
    status: str
    detail: str | None = None
    view: dict[str, Any] | None = None


def _active(peer: Peer | None) -> bool:
    return peer is not None and peer.status == NodeStatus.ACTIVE.value


async def authenticate_peer_token(
    runtime: ExchangeRuntime, tokens: TokenService, token: str
) -> Principal:
    """The applicant of a token another active node minted for this one; AuthError if not."""
    snapshot = await runtime.directory()

    def resolve(kid: str) -> tuple[str, Verifier]:
        for peer in snapshot.peers.values():
            if _active(peer) and kid in peer.verifiers:
                return peer.code, peer.verifiers[kid]
        raise KeyNotFound(f"key {kid} is not a key of an active node in the registry")

    principal = tokens.authenticate_minted_for_us(token, resolve, now=runtime.clock())
    return require_role(principal, frozenset({Role.APPLICANT}))


async def gather_accesses(
    runtime: ExchangeRuntime, tokens: TokenService, subject: str
) -> tuple[list[NodeAccesses], str | None]:
    """Every other active node's entries about ``subject``, fetched at once and checked.

    Returns the nodes in code order and, when the registry itself cannot be had, why (then
    the list is empty: the caller still shows its own log).
    """
    try:
        snapshot = await runtime.directory()
    except CertfreeError as exc:
        return [], exc.message
    peers = sorted(
        (
            p
            for p in snapshot.peers.values()
            if _active(p) and p.endpoint and p.code != runtime.code
        ),
        key=lambda p: p.code,
    )
    found = await asyncio.gather(*(_fetch(runtime, tokens, peer, subject) for peer in peers))
    return list(found), None


async def _fetch(
    runtime: ExchangeRuntime, tokens: TokenService, peer: Peer, subject: str
) -> NodeAccesses:
    token = tokens.issue(
        Role.APPLICANT.value, subject, ttl_seconds=PEER_TOKEN_SECONDS, audience=peer.code
    )
    try:
        response = await runtime.http.request(
            "GET",
            f"{peer.endpoint}{PEER_PATH}",
            headers={"Authorization": f"Bearer {token}"},
        )  # the exchange's timeouts: a frozen node costs one read timeout
    except PEER_ERRORS as exc:
        return NodeAccesses(peer.code, "unreachable", peer_error(exc))
    return _read(response, peer, subject)


def _read(response: HopResult, peer: Peer, subject: str) -> NodeAccesses:
    if response.status >= 500:
        return NodeAccesses(peer.code, "unreachable", f"HTTP {response.status}")
    try:
        body = response.json()
        if response.status != 200:
            detail = body.get("detail") if isinstance(body, dict) else None
            return NodeAccesses(peer.code, "refused", str(detail or response.status))
        _check(body, peer, subject)
    except CertfreeError as exc:
        return NodeAccesses(peer.code, "invalid", exc.message)
    except (KeyError, TypeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        return NodeAccesses(peer.code, "invalid", f"应答格式错误：{exc}")
    return NodeAccesses(peer.code, "ok", None, body)


def _check(body: dict[str, Any], peer: Peer, subject: str) -> None:
    """The head is signed by ``peer``; every entry is about ``subject`` and in that head."""
    if body["subject"] != subject:
        raise AuthError(f"应答所涉对象为 {body['subject']!r}，不是当前登录的本人")

    def key(kid: str) -> Verifier:
        if kid not in peer.verifiers:
            raise KeyNotFound(f"树头签名密钥 {kid} 不是节点登记册中 {peer.code} 的公钥")
        return peer.verifiers[kid]

    head = open_tree_head(body["head"]["signed"], key, node=peer.code)
    if (body["head"]["tree_size"], body["head"]["root_hash"]) != (
        head.tree_size,
        head.root_hash.hex(),
    ):
        raise TreeHeadInvalid("树头字段与签名内容不符")
    for access in body["accesses"]:
        record = json.loads(access["leaf"])
        if record != access["record"] or access["tree_size"] != head.tree_size:
            raise AuditProofInvalid(f"第 {access['leaf_index']} 条记录与其叶内容不符")
        salt = bytes.fromhex(access["subjects"][subject])
        if hashlib.sha256(salt + subject.encode()).hexdigest() not in record["subjects"]:
            raise AuditProofInvalid(f"第 {access['leaf_index']} 条记录未指向本人")
        merkle.verify_inclusion(
            merkle.leaf_hash(access["leaf"].encode()),
            access["leaf_index"],
            head.tree_size,
            [bytes.fromhex(step) for step in access["inclusion_proof"]],
            head.root_hash,
        )
