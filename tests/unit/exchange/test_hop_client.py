"""The lean hop client against small real servers on loopback: framing, keep-alive, faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from certfree.exchange.protocol.hop_client import HopClient, HopConnectionError, HopTimeout

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return await reader.readexactly(length)


def _run(handler: Handler, scenario: Callable[[str, HopClient], Awaitable[None]]) -> None:
    async def main() -> None:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = HopClient()
        try:
            await scenario(f"http://127.0.0.1:{port}/api/v1/exchange/messages", client)
        finally:
            await client.aclose()
            await asyncio.sleep(0.05)  # let the handlers see the close and close their end
            server.close()
            await server.wait_closed()

    asyncio.run(main())


def test_posts_and_reuses_one_connection() -> None:
    connections = 0

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                body = await _read_request(reader)
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/jose\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass  # the client closed its pooled connection
        finally:
            writer.close()

    async def scenario(url: str, client: HopClient) -> None:
        for n in range(3):
            response = await client.post(
                url,
                b"a.b.%d" % n,
                {"content-type": "application/jose"},
                timeout=2,
                connect_timeout=1,
            )
            assert response.status_code == 200
            assert response.content == b"a.b.%d" % n
            assert response.headers["content-type"] == "application/jose"

    _run(echo, scenario)
    assert connections == 1


def test_reads_a_chunked_problem_and_a_closed_pooled_connection_is_replaced() -> None:
    connections = 0

    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await _read_request(reader)
        writer.write(
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
            b'7\r\n{"a": 1\r\n1\r\n}\r\n0\r\n\r\n'
        )
        await writer.drain()
        writer.close()  # keep-alive promised, then dropped: the next post must not fail

    async def scenario(url: str, client: HopClient) -> None:
        for _ in range(2):
            response = await client.post(url, b"x", {}, timeout=2, connect_timeout=1)
            assert response.status_code == 503
            assert response.json() == {"a": 1}
            await asyncio.sleep(0.05)  # the server's close reaches the pooled connection

    _run(once, scenario)
    assert connections == 2  # the dropped connection was not reused


def test_a_silent_peer_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await _read_request(reader)
            await asyncio.sleep(5)
        finally:
            writer.close()

    async def scenario(url: str, client: HopClient) -> None:
        with pytest.raises(HopTimeout):
            await client.post(url, b"x", {}, timeout=0.3, connect_timeout=0.3)

    _run(silent, scenario)


def test_a_refused_connection_is_a_connection_error() -> None:
    async def main() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(HopConnectionError):
            await HopClient().post(
                f"http://127.0.0.1:{port}/", b"x", {}, timeout=1, connect_timeout=1
            )

    asyncio.run(main())
