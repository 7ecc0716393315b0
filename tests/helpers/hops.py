"""Handing messages to a node as its neighbour would: in a hop envelope signed by that
neighbour (certfree.exchange.protocol.hops), the result of each message read back as the
HTTP response a single message would have had."""

from __future__ import annotations

import time

import httpx

from certfree.crypto import Signer
from certfree.exchange.protocol.hops import HopItem, decode_results, seal_envelope
from certfree.exchange.protocol.lanes import MESSAGES_PATH


def hand_over(
    client: httpx.Client, signer: Signer, *, sender: str, receiver: str, raw: str
) -> httpx.Response:
    """POST ``raw`` to ``receiver`` in an envelope of ``sender`` (the node before it on the
    path); the message's own result as a response, or the envelope's refusal as it came."""
    now = time.time()
    body = seal_envelope(
        signer, sender=sender, receiver=receiver, items=[HopItem(raw, now + 30)], now=now
    )
    response = client.post(
        MESSAGES_PATH, content=body, headers={"content-type": "application/jose"}
    )
    if response.status_code != 200:
        return response
    (result,) = decode_results(response.content, 1)
    return httpx.Response(
        result.status, headers={"content-type": result.media_type}, content=result.body
    )
