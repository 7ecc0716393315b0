"""Lanes over real loopback TLS: messages waiting for one next node share an envelope, each
gets its own result in order, and a peer showing another key than the pinned one is refused
before anything is sent to it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from certfree.crypto import b64url_decode, generate_signer
from certfree.crypto.tls import (
    TlsFiles,
    client_context,
    development_tls,
    fingerprint,
    load_certificate,
    server_context,
)
from certfree.exchange.errors import ProviderUnavailable
from certfree.exchange.protocol.hops import HopItem, HopResult, encode_results
from certfree.exchange.protocol.lanes import HopLanes, LaneSettings

PASSWORD = "lanes-test-passphrase"


@asynccontextmanager
async def peer(files: TlsFiles, envelopes: list[int], delay: float) -> AsyncIterator[str]:
    """A TLS peer answering each envelope, after ``delay``, with one result per message
    (the message itself, echoed); ``envelopes`` records how many messages each one held."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                body = await reader.readexactly(length)
                items = json.loads(b64url_decode(body.decode().split(".")[1]))["items"]
                envelopes.append(len(items))
                await asyncio.sleep(delay)
                echoed = [HopResult(200, "application/jose", i["m"].encode()) for i in items]
                content = encode_results(echoed)
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    + f"content-length: {len(content)}\r\n\r\n".encode()
                    + content
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_context(files))
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"https://127.0.0.1:{port}"


def _files(tmp_path: Path) -> tuple[TlsFiles, TlsFiles]:
    ca = tmp_path / "ca"
    node = development_tls(tmp_path / "a", "370000", ["127.0.0.1"], PASSWORD, ca_directory=ca)
    other = development_tls(tmp_path / "b", "370100", ["127.0.0.1"], PASSWORD, ca_directory=ca)
    return node, other


def _lanes(files: TlsFiles, parallel: int = 1) -> HopLanes:
    signer = generate_signer()
    settings = LaneSettings(parallel=parallel, max_wait=1.0)
    return HopLanes("370200", lambda: signer, settings, tls=lambda: client_context(files))


def test_waiting_messages_share_an_envelope_and_each_gets_its_result(tmp_path: Path) -> None:
    province, desk = _files(tmp_path)
    pin = fingerprint(load_certificate(province.cert))
    envelopes: list[int] = []

    async def run() -> list[HopResult]:
        lanes = _lanes(desk)
        async with peer(province, envelopes, delay=0.2) as url:
            deadline = time.time() + 10
            sent = [
                lanes.send("370000", url, pin, HopItem(f"m.{n}.x", deadline)) for n in range(10)
            ]
            results = await asyncio.gather(*sent)
        await lanes.aclose()
        return results

    results = asyncio.run(run())

    assert [r.body.decode() for r in results] == [f"m.{n}.x" for n in range(10)]
    assert envelopes == [1, 9]  # the first alone at once, the nine that waited together


def test_a_peer_showing_another_key_than_the_registry_binds_is_refused(tmp_path: Path) -> None:
    province, desk = _files(tmp_path)
    other_key = fingerprint(load_certificate(desk.cert))  # a genuine key of the same CA
    envelopes: list[int] = []

    async def run() -> None:
        lanes = _lanes(desk)
        try:
            async with peer(province, envelopes, delay=0) as url:
                await lanes.send("370000", url, other_key, HopItem("m.1.x", time.time() + 5))
        finally:
            await lanes.aclose()

    with pytest.raises(ProviderUnavailable) as refused:
        asyncio.run(run())

    assert refused.value.node == "370000"
    assert other_key in str(refused.value)
    assert envelopes == []  # nothing was sent to it
