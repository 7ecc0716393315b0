"""Hop envelopes: what one node hands the next on the path, signed by that node.

Every hop is one ``POST /api/v1/exchange/messages`` whose body is a compact JWS (RFC 7515
§7.1, ``typ`` ``certfree-hop+jwt``) signed by the node making the hop, with the payload
``{"v":1,"from","to","iat","items":[{"m": <message JWS>, "d": <deadline, epoch ms>}, …]}``.
The messages inside are the end-to-end signed messages of :mod:`.signing`, passed on
unchanged; the envelope says which node handed them over, so a node can hold every message to
the path of the cascade (:func:`check_previous_hop`) and refuse one that skipped a node.
Several messages waiting for the same next hop travel in one envelope
(:mod:`.lanes`), which is what makes a forwarding node cheap under load.

The response is JSON, one result per item in the same order:
``{"v":1,"results":[{"status":200,"type":"application/jose","body":"<reply JWS>"}, …]}``;
an item refused on the path carries its problem+json (RFC 9457) as ``body``. Replies are
signed end to end by the node that answered, so the response itself is not signed again; the
hop's TLS (mutual, pinned to the registry) authenticates it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from certfree.crypto import Signer, sign_jws, verify_jws
from certfree.errors import CertfreeError
from certfree.exchange.errors import MessageRefused, RefusalReason
from certfree.exchange.protocol.routing import path
from certfree.exchange.protocol.signing import Directory, peek_jws, registered_key
from certfree.safejson import MAX_JSON_SIZE, loads_untrusted

__all__ = [
    "HOP_TYP",
    "MAX_ENVELOPE",
    "MAX_ITEMS",
    "MAX_RESULTS",
    "HopItem",
    "HopResult",
    "OpenedHop",
    "check_previous_hop",
    "decode_results",
    "encode_results",
    "open_envelope",
    "seal_envelope",
]

HOP_TYP = "certfree-hop+jwt"
VERSION = 1
MAX_ITEMS = 64  # messages in one envelope
MAX_MESSAGE = 256 * 1024  # one message's compact JWS
MAX_ENVELOPE = MAX_JSON_SIZE  # bytes of one envelope: the body cap of every request
MAX_RESULTS = 4 * MAX_JSON_SIZE  # bytes of the response to one envelope


@dataclass(frozen=True, slots=True)
class HopItem:
    """One message on a hop and the whole path's deadline for it (epoch seconds)."""

    raw: str
    deadline: float


@dataclass(frozen=True, slots=True)
class HopResult:
    """What came back for one item: the reply JWS, or a problem+json from the path."""

    status: int
    media_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as strict JSON (a peer's answer is input too); InvalidInput if not."""
        return loads_untrusted(self.body, what="a node's response")


@dataclass(frozen=True, slots=True)
class OpenedHop:
    """A verified envelope: the node that made the hop and the items it carried."""

    sender: str
    items: tuple[HopItem, ...]


def seal_envelope(
    signer: Signer, *, sender: str, receiver: str, items: Sequence[HopItem], now: float
) -> bytes:
    """The signed envelope handing ``items`` from ``sender`` to the next node ``receiver``."""
    payload = {
        "v": VERSION,
        "from": sender,
        "to": receiver,
        "iat": int(now),
        "items": [{"m": item.raw, "d": round(item.deadline * 1000)} for item in items],
    }
    return sign_jws(signer, payload, header={"typ": HOP_TYP}).encode("ascii")


def _refuse(reason: RefusalReason, text: str) -> MessageRefused:
    return MessageRefused(reason, f"hop envelope: {text}")


def _peek_sender(payload: Mapping[str, Any], receiver: str) -> str:
    if payload.get("v") != VERSION:
        raise _refuse(RefusalReason.UNSUPPORTED_VERSION, f"version {payload.get('v')!r}")
    sender, to = payload.get("from"), payload.get("to")
    if not isinstance(sender, str) or not isinstance(to, str):
        raise _refuse(RefusalReason.MALFORMED, "from and to must be node codes")
    if to != receiver:
        raise _refuse(RefusalReason.WRONG_RECEIVER, f"addressed to {to}, this is {receiver}")
    return sender


def _items(payload: Mapping[str, Any]) -> tuple[HopItem, ...]:
    listed = payload.get("items")
    if not isinstance(listed, list) or not 1 <= len(listed) <= MAX_ITEMS:
        raise _refuse(RefusalReason.MALFORMED, f"items must list 1 to {MAX_ITEMS} messages")
    items = []
    for entry in listed:
        raw = entry.get("m") if isinstance(entry, dict) else None
        deadline = entry.get("d") if isinstance(entry, dict) else None
        if not isinstance(raw, str) or not 0 < len(raw) <= MAX_MESSAGE:
            raise _refuse(RefusalReason.MALFORMED, f"each item's m is a message of ≤ {MAX_MESSAGE}")
        if not isinstance(deadline, int) or isinstance(deadline, bool) or deadline <= 0:
            raise _refuse(RefusalReason.MALFORMED, "each item's d is a deadline in epoch ms")
        items.append(HopItem(raw, deadline / 1000))
    return tuple(items)


def open_envelope(
    body: bytes, directory: Directory, *, receiver: str, now: float | None = None, skew: int = 120
) -> OpenedHop:
    """Verify an envelope made for ``receiver``; MessageRefused names the first fault.

    The signer must be an active node of the registry using one of its registered keys, and
    the envelope fresh within ``skew`` seconds."""
    if len(body) > MAX_ENVELOPE:
        raise _refuse(RefusalReason.MALFORMED, f"{len(body)} bytes, over {MAX_ENVELOPE}")
    try:
        token = body.decode("ascii").strip()
    except UnicodeDecodeError as exc:
        raise _refuse(RefusalReason.MALFORMED, "not a compact JWS") from exc
    header, payload = peek_jws(token)
    if header.get("typ") != HOP_TYP:
        raise _refuse(RefusalReason.MALFORMED, f"typ should be {HOP_TYP}")
    sender = _peek_sender(payload, receiver)
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise _refuse(RefusalReason.MALFORMED, "header has no kid")
    verifier = registered_key(directory, sender, kid)
    try:
        verify_jws(token, lambda _kid: verifier)  # the header's kid
    except CertfreeError as exc:
        raise _refuse(RefusalReason.BAD_SIGNATURE, f"signature of {sender}: {exc}") from exc
    current = time.time() if now is None else now
    iat = payload.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool) or abs(current - iat) > skew:
        raise _refuse(RefusalReason.STALE_TIMESTAMP, f"iat {iat!r} outside ±{skew} s of now")
    return OpenedHop(sender, _items(payload))


def check_previous_hop(me: str, came_from: str, sender: str, receiver: str) -> None:
    """A message from ``sender`` to ``receiver`` reaches ``me`` only from the node before
    ``me`` on its path: a node that skips the cascade (a desk posting straight to a
    department) is refused with ``wrong_hop``."""
    route = path(sender, receiver)
    if me not in route[1:]:
        return  # not on the path at all: forward_hop refuses it as wrong_receiver
    expected = route[route.index(me) - 1]
    if came_from != expected:
        raise MessageRefused(
            RefusalReason.WRONG_HOP,
            f"a message from {sender} to {receiver} reaches {me} from {expected}, "
            f"not from {came_from}",
            node=me,
        )


def encode_results(results: Sequence[HopResult]) -> bytes:
    """The response body for an envelope's items."""
    listed = [
        {"status": r.status, "type": r.media_type, "body": r.body.decode("utf-8")} for r in results
    ]
    return json.dumps({"v": VERSION, "results": listed}, ensure_ascii=False).encode("utf-8")


def decode_results(content: bytes, expected: int) -> list[HopResult]:
    """Results of a response to an envelope of ``expected`` items; ValueError if malformed."""
    document = loads_untrusted(content, what="a hop response", max_size=MAX_RESULTS)
    listed = document.get("results") if isinstance(document, dict) else None
    if not isinstance(listed, list) or len(listed) != expected:
        raise ValueError(f"a hop response must list {expected} results")
    results = []
    for entry in listed:
        if not isinstance(entry, dict):
            raise ValueError("each result must be an object")
        status, media, body = entry.get("status"), entry.get("type"), entry.get("body")
        if not isinstance(status, int) or not isinstance(media, str) or not isinstance(body, str):
            raise ValueError("each result needs status, type and body")
        results.append(HopResult(status, media, body.encode("utf-8")))
    return results
