"""A lean HTTP/1.1 client for node-to-node hops: one POST, keep-alive, nothing else.

Every verification crosses four hops, and httpx (with httpcore, h11 and anyio beneath it)
spends about a millisecond of CPU per request on features a hop never uses: redirects,
cookies, auth flows, proxies, streaming. A hop needs only ``POST`` of a small body to a
loopback or intranet peer, a small response with ``Content-Length`` (or chunked, RFC 9112
§7.1) and pooled connections. Timeouts and refused connections surface as :class:`HopTimeout`
and :class:`HopConnectionError`; the caller (``transport.post_hop``) decides about retries.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from certfree.safejson import loads_untrusted

__all__ = ["HopClient", "HopConnectionError", "HopResponse", "HopTimeout"]

_MAX_HEAD = 64 * 1024
_MAX_BODY = 4 * 1024 * 1024  # replies are a few KiB; anything this large is not one


class HopConnectionError(Exception):
    """The peer could not be reached or dropped the connection before answering."""


class HopTimeout(Exception):
    """The peer did not answer in time."""


@dataclass(frozen=True, slots=True)
class HopResponse:
    """A peer's response: status, headers (lower-case names) and body."""

    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as strict JSON (a peer's answer is input too); InvalidInput if not."""
        return loads_untrusted(self.content, what="a node's response")


@functools.lru_cache(maxsize=256)
def _target(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise HopConnectionError(f"unsupported endpoint {url!r} (http://host:port/path only)")
    return parts.hostname, parts.port or 80, parts.path or "/"


_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class HopClient:
    """Pooled keep-alive connections per peer; usable from one event loop."""

    def __init__(self, max_idle_per_peer: int = 64) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._max_idle = max_idle_per_peer

    async def post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        timeout: float,
        connect_timeout: float,
    ) -> HopResponse:
        host, port, path = _target(url)
        head = [f"POST {path} HTTP/1.1", f"host: {host}:{port}", f"content-length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        try:
            async with asyncio.timeout(timeout):
                connection = self._take(host, port)
                if connection is not None:
                    try:
                        return await self._exchange(host, port, connection, request)
                    except HopConnectionError:
                        pass  # a pooled connection the peer had closed: once more, afresh
                try:
                    async with asyncio.timeout(connect_timeout):
                        connection = await asyncio.open_connection(host, port)
                except OSError as exc:
                    raise HopConnectionError(f"connect to {host}:{port}: {exc}") from exc
                except TimeoutError as exc:
                    raise HopConnectionError(f"connect to {host}:{port} timed out") from exc
                return await self._exchange(host, port, connection, request)
        except TimeoutError as exc:
            raise HopTimeout(f"no answer from {host}:{port} within {timeout:.1f} s") from exc

    async def _exchange(
        self, host: str, port: int, connection: _Connection, request: bytes
    ) -> HopResponse:
        reader, writer = connection
        try:
            writer.write(request)
            response, keep = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            writer.close()
            raise HopConnectionError(f"{host}:{port}: {type(exc).__name__}") from exc
        except BaseException:
            writer.close()  # cancelled or timed out mid-response: the stream is unusable
            raise
        if keep:
            pool = self._idle.setdefault((host, port), [])
            if len(pool) < self._max_idle:
                pool.append(connection)
                return response
        writer.close()
        return response

    def _take(self, host: str, port: int) -> _Connection | None:
        pool = self._idle.get((host, port))
        while pool:
            reader, writer = pool.pop()
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        return None

    async def aclose(self) -> None:
        """Close every pooled connection."""
        pools, self._idle = self._idle, {}
        for pool in pools.values():
            for _, writer in pool:
                writer.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[HopResponse, bool]:
    """One response (RFC 9112 §6): the status line and headers, then the framed body."""
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > _MAX_HEAD:
        raise ValueError("response head too large")
    lines = head.decode("latin-1").split("\r\n")
    version, status, *_ = lines[0].split(" ", 2)
    if not version.startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1.x response: {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
    if "content-length" in headers:
        length = int(headers["content-length"])
        if not 0 <= length <= _MAX_BODY:
            raise ValueError(f"content-length {length}")
        content = await reader.readexactly(length)
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        content = await _read_chunked(reader)
    else:
        content = await reader.read(_MAX_BODY)  # delimited by the connection's end
        keep = False
    return HopResponse(int(status), headers, content), keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailer fields, unused
            return b"".join(parts)
        total += size
        if total > _MAX_BODY:
            raise ValueError("chunked body too large")
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
