"""Sending node messages hop by hop, and receiving what neighbours hand over.

Each hop is a hop envelope (:mod:`certfree.exchange.protocol.hops`) signed by the node making
it and carried by its lane to the next node (:mod:`certfree.exchange.protocol.lanes`), with
whatever else waits for that node. The whole path shares one deadline, carried with each
message and shortened a little at every hop, so that a node deep in the path times out first
and its ``provider-unavailable`` problem, naming the node that did not answer, reaches the
caller before the caller's own timeout. Connection failures are retried a bounded number of
times with backoff: a message is idempotent by its id.

A message to a department this node hosts (:mod:`certfree.exchange.protocol.hosting`) takes no
hop: the node's own answerer replies, as it would to the same message from the network.

Receiving is here too: a message for this node is answered (:meth:`Answerer.dispatch`), any
other passed on to the next hop of the cascade and the hop's result passed back unchanged;
either only when it came from the node before this one on its path.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

from certfree.crypto import Jwk
from certfree.errors import CertfreeError
from certfree.exchange.errors import (
    MessageRefused,
    NodeWithoutEncryptionKey,
    ProviderUnavailable,
    RefusalReason,
    provider_refusal,
)
from certfree.exchange.protocol import audit
from certfree.exchange.protocol.hops import (
    HopItem,
    HopResult,
    OpenedHop,
    check_previous_hop,
    open_envelope,
)
from certfree.exchange.protocol.hosting import WithOwnKeys
from certfree.exchange.protocol.lanes import JOSE, MESSAGES_PATH
from certfree.exchange.protocol.messages import MessageType, is_encrypted
from certfree.exchange.protocol.registry import RegistrySnapshot
from certfree.exchange.protocol.routing import forward_hop, next_hop, path
from certfree.exchange.protocol.runtime import ExchangeRuntime
from certfree.exchange.protocol.signing import Message, open_message, reveal, route_of, seal

__all__ = [
    "JOSE",
    "MESSAGES_PATH",
    "open_hop",
    "open_incoming",
    "post_hop",
    "receive",
    "recipient_key",
    "send",
]

T = TypeVar("T")
_HOP_MARGIN = 0.25  # seconds left to each upstream hop to pass an error back


async def post_hop(
    runtime: ExchangeRuntime, hop: str, raw: str, deadline: float | None
) -> HopResult:
    """Hand ``raw`` to node ``hop`` (in its lane, with whatever else waits for it); what came
    back for it, or ProviderUnavailable naming ``hop``."""
    if deadline is None:
        deadline = time.time() + runtime.settings.exchange_read_timeout
    snapshot = await runtime.registry.current()
    peer = snapshot.peer(hop)
    url = runtime.registry.endpoint(hop, snapshot)
    item = HopItem(raw, deadline - _HOP_MARGIN)
    return await runtime.http.lanes.send(hop, url, peer.tls if peer else None, item)


def _raise_problem(response: HopResult, hop: str) -> None:
    """Turn a problem+json from the path into the error it stands for."""
    try:
        problem = response.json()
    except CertfreeError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    slug = str(problem.get("type", "")).rsplit("/", 1)[-1]
    detail = str(problem.get("detail") or f"HTTP {response.status}")
    node = str(problem.get("node") or hop)
    if slug == "message-refused":
        try:
            reason = RefusalReason(str(problem.get("reason")))
        except ValueError:
            reason = RefusalReason.MALFORMED
        raise MessageRefused(reason, detail.split(": ", 1)[-1], node=node)
    if slug == "provider-unavailable":
        unavailable = ProviderUnavailable(node, "")
        unavailable.message = detail
        raise unavailable
    raise ProviderUnavailable(node, f"HTTP {response.status}: {detail}")


async def send(
    runtime: ExchangeRuntime,
    *,
    to: str,
    type: str,
    body: dict[str, Any],
    reply_to: str | None = None,
    message_id: str | None = None,
    deadline: float | None = None,
    before_logged: audit.Step | None = None,
) -> Message:
    """Send a message to node ``to`` and return its signed reply (opened and verified).

    The request is logged before it leaves and the reply on receipt; ``before_logged`` runs
    in the transaction logging the request, and what it raises stops the message there. Raises
    ProviderUnavailable (a node on the path did not answer), MessageRefused (a node refused
    the message, e.g. stale_timestamp) or a ProviderRefused subclass carrying the provider's
    signed refusal (no grant, no consent, bad arguments …).
    """
    if to == runtime.code:
        raise MessageRefused(RefusalReason.WRONG_RECEIVER, f"{to} is this node itself")
    encrypt_to = await recipient_key(runtime, to) if is_encrypted(type) else None
    message = seal(
        runtime.node.signer(),
        type=type,
        sender=runtime.code,
        receiver=to,
        body=body,
        reply_to=reply_to,
        message_id=message_id,
        now=runtime.clock(),
        encrypt_to=encrypt_to,
    )
    await audit.record(runtime.audit, "sent", message, None, step=before_logged)
    if await runtime.hosting.hosts(to):
        raw = await _answer_here(runtime, message)
    else:
        hop = next_hop(runtime.code, to)
        assert hop is not None
        response = await post_hop(runtime, hop, message.raw, deadline)
        if response.status != 200 or not response.media_type.startswith(JOSE):
            _raise_problem(response, hop)
        raw = response.text
    reply = await _open_reply(runtime, raw, message)
    await audit.record(runtime.audit, "answer_received", message, reply)
    if reply.type == MessageType.REFUSAL:
        raise provider_refusal(
            provider=reply.speaks_for,
            status=int(reply.body["status"]),
            detail=str(reply.body["detail"]),
            reason=reply.body.get("reason"),
            field=reply.body.get("field"),
            signed=reply.raw,
        )
    return reply


async def recipient_key(runtime: ExchangeRuntime, to: str) -> Jwk:
    """The key a message to node ``to`` is encrypted to: its registered ``use: enc`` key, or
    this node's own for a department it hosts, whose messages never leave this node
    (:mod:`certfree.exchange.protocol.hosting`; the registry does not say who hosts whom, and
    need not). NodeWithoutEncryptionKey when the registry lists none, even refreshed."""
    if await runtime.hosting.hosts(to):
        return await asyncio.to_thread(runtime.node.encryption_key)
    snap = await runtime.registry.current()
    peer = snap.peer(to)
    if peer is None or peer.encryption is None:
        snap = await runtime.registry.current(missing=to)
        peer = snap.peer(to)
    if peer is None or peer.encryption is None:
        # Nothing can be sent; say what the path would have said first: the first node on
        # the way that no one can reach, as that node's neighbour would have.
        for node in path(runtime.code, to)[1:]:
            runtime.registry.endpoint(node, snap)
        raise NodeWithoutEncryptionKey(to)
    return peer.encryption


async def _answer_here(runtime: ExchangeRuntime, message: Message) -> str:
    """The reply of this node's own answerer to ``message``, for a department it hosts."""
    await runtime.registry.current()  # loaded before answering, as for one from the network
    try:
        return await runtime.answerer.dispatch(message)
    except MessageRefused as exc:
        exc.node = exc.node or message.receiver  # as the department would have refused
        raise


async def _open_reply(runtime: ExchangeRuntime, raw: str, request: Message) -> Message:
    try:
        reply = open_message(
            raw,
            WithOwnKeys(await runtime.registry.current(), runtime.code, runtime.node.own_peer),
            now=runtime.clock(),
            skew=runtime.settings.exchange_clock_skew,
            decrypt=runtime.node.decrypt,  # the reply is encrypted to this node's key
        )
    except MessageRefused as exc:
        reason = RefusalReason(exc.reason.value)
        raise MessageRefused(reason, f"reply from {request.receiver}: {exc.message_en}") from exc
    # The addressee signs its reply, or, for a department this node hosts, this node itself
    # naming it in "for"; never another node on its behalf.
    if reply.on_behalf_of is None:
        signer_ok = reply.sender == request.receiver
    else:
        signer_ok = reply.sender == runtime.code and await runtime.hosting.hosts(request.receiver)
    if not signer_ok or reply.speaks_for != request.receiver or reply.receiver != runtime.code:
        answered = f" for {reply.on_behalf_of}" if reply.on_behalf_of else ""
        raise MessageRefused(
            RefusalReason.WRONG_RECEIVER,
            f"reply from {reply.sender}{answered} to {reply.receiver}, "
            f"expected {request.receiver} (or this node if it hosts it) to us",
        )
    if reply.reply_to != request.id:
        raise MessageRefused(
            RefusalReason.MALFORMED, f"reply is to {reply.reply_to}, not to {request.id}"
        )
    return reply


async def open_incoming(runtime: ExchangeRuntime, raw: str) -> Message:
    """Verify a message addressed to this node (its signature too)."""
    return await _with_registry(
        runtime,
        lambda snap: open_message(
            raw, snap, now=runtime.clock(), skew=runtime.settings.exchange_clock_skew
        ),
    )


async def _with_registry(runtime: ExchangeRuntime, check: Callable[[RegistrySnapshot], T]) -> T:
    """``check`` against the registry, and once more against a fresh one if it named a node
    or key this node does not know (a node approved a moment ago)."""
    snap = await runtime.registry.current()
    try:
        return check(snap)
    except MessageRefused as exc:
        if exc.reason not in (RefusalReason.UNKNOWN_SENDER, RefusalReason.UNKNOWN_KID):
            raise
        newer = await runtime.registry.current(missing="sender")
        if newer is snap:
            raise
    return check(newer)


async def open_hop(runtime: ExchangeRuntime, body: bytes) -> OpenedHop:
    """Verify a hop envelope from a neighbour (:func:`open_envelope`)."""
    skew = runtime.settings.exchange_clock_skew
    try:
        return await _with_registry(
            runtime,
            lambda snap: open_envelope(
                body, snap, receiver=runtime.code, now=runtime.clock(), skew=skew
            ),
        )
    except MessageRefused as exc:
        exc.node = exc.node or runtime.code
        raise


async def receive(
    runtime: ExchangeRuntime, raw: str, deadline: float | None, *, came_from: str
) -> HopResult | str:
    """A message handed over by the neighbour ``came_from``: the signed reply (a str) if it
    is for this node, else the next hop's result to pass back unchanged. A message that did
    not come from the node before this one on its path is refused (wrong_hop)."""
    try:
        skew = runtime.settings.exchange_clock_skew
        sender, receiver = await _with_registry(
            runtime, lambda snap: route_of(raw, snap, now=runtime.clock(), skew=skew)
        )
        check_previous_hop(runtime.code, came_from, sender, receiver)
        if receiver == runtime.code:
            message = await open_incoming(runtime, raw)
            # Only the addressee decrypts; a forwarder passes the JWE on unopened.
            return await runtime.answerer.dispatch(reveal(message, runtime.node.decrypt))
        hop = forward_hop(runtime.code, sender, receiver)
    except MessageRefused as exc:
        exc.node = exc.node or runtime.code  # the caller learns which node refused
        raise
    return await post_hop(runtime, hop, raw, deadline)
