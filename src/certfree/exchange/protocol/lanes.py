"""Lanes: the node's HTTP client for hops, one lane per next node, coalescing what waits.

A lane sends an envelope at once while fewer than ``parallel`` of its requests are in flight;
messages that arrive meanwhile wait and leave together in the next envelope, when a request
comes back or, at the latest, after ``max_wait`` seconds (then in a request of their own).
Under light load every message travels alone with no added wait; under heavy load a hop costs
one request, one envelope signature and one verification per batch instead of per message.

The client is aiohttp's (keep-alive pool, TLS through the node's :mod:`certfree.crypto.tls`
context): measured on this path it spends about a tenth of the CPU per request that httpx
does (``bench/hop_clients.py``). Right after each TLS handshake, before the first request on
the connection, the peer's key is checked against the one the signed registry binds to the node
at that address (``pin``), so another registered node cannot take its place. Failures where
the peer cannot have acted (refused or dropped connections) are retried with backoff within
the items' deadline: a message is idempotent by its id.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from certfree.crypto import Signer
from certfree.crypto.tls import PeerCertificateRefused, check_peer
from certfree.exchange.errors import ProviderUnavailable
from certfree.exchange.protocol.hops import (
    MAX_ENVELOPE,
    MAX_ITEMS,
    MAX_RESULTS,
    HopItem,
    HopResult,
    decode_results,
    seal_envelope,
)

__all__ = ["JOSE", "MESSAGES_PATH", "HopLanes", "LaneSettings"]

MESSAGES_PATH = "/api/v1/exchange/messages"
JOSE = "application/jose"  # RFC 7515 §9.2.1: compact serialisation
_BACKOFF = 0.1
_BATCH_BYTES = MAX_ENVELOPE // 2  # messages' bytes in one envelope, well under its cap
# Failures where the peer cannot have answered: safe to send again (idempotent by id).
_RETRYABLE = (aiohttp.ClientConnectionError,)


@dataclass(frozen=True, slots=True)
class LaneSettings:
    """How hops are made: timeouts, retries and how much may wait for one request."""

    connect_timeout: float = 2.0
    retries: int = 2
    parallel: int = 2  # requests in flight per lane before messages wait to share one
    max_wait: float = 0.005  # the longest a message waits for a lane's request to come back
    plain_http: bool = False  # development only: peers reached without TLS (http:// URLs)


@dataclass(eq=False)
class _Lane:
    hop: str
    url: str
    waiting: list[tuple[HopItem, asyncio.Future[HopResult]]] = field(default_factory=list)
    in_flight: int = 0
    timer: asyncio.TimerHandle | None = None


class _PinningConnector(aiohttp.TCPConnector):
    """A connector that checks, right after each TLS handshake, that the peer holds the key
    the registry binds to the node at that address (``crypto.tls.check_peer``): another node
    with a certificate of the same CA cannot take a hop meant for this one."""

    def __init__(self, pins: Mapping[tuple[str, int], tuple[str, str | None]], **kwargs: Any):
        super().__init__(**kwargs)
        self._peer_pins = pins

    async def _wrap_create_connection(
        self, *args: Any, req: aiohttp.ClientRequest, **kwargs: Any
    ) -> tuple[asyncio.Transport, Any]:
        transport, protocol = await super()._wrap_create_connection(*args, req=req, **kwargs)
        pinned = self._peer_pins.get((req.url.host or "", req.url.port or 443))
        if req.url.scheme == "https" and pinned is not None:
            node, fingerprint = pinned
            try:
                check_peer(transport, fingerprint, node)
            except PeerCertificateRefused as exc:
                transport.close()
                raise ProviderUnavailable(node, exc.message) from exc
        return transport, protocol


@dataclass(eq=False)
class _LoopState:
    session: aiohttp.ClientSession
    lanes: dict[tuple[str, str], _Lane] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


class HopLanes:
    """The node's hops to its neighbours and its pooled session for any other request."""

    def __init__(
        self,
        code: str,
        signer: Callable[[], Signer],
        settings: LaneSettings,
        *,
        tls: Callable[[], ssl.SSLContext],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.code = code
        self._signer = signer
        self.settings = settings
        self._tls = tls
        self._clock = clock
        self._pins: dict[tuple[str, int], tuple[str, str | None]] = {}
        # Per event loop: a node serves one, but a test may serve one app from two loops.
        self._loops: dict[asyncio.AbstractEventLoop, _LoopState] = {}

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._loops.get(loop)
        if state is None or state.session.closed:
            connector = _PinningConnector(
                self._pins, limit=0, ssl=self._tls(), keepalive_timeout=30
            )
            session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, skip_auto_headers=("User-Agent",)
            )
            state = self._loops[loop] = _LoopState(session)
        return state

    @property
    def session(self) -> aiohttp.ClientSession:
        """The pooled client session for every request to a peer (created on first use,
        inside the running loop): TLS 1.3 with this node's certificate (``tls``)."""
        return self._state().session

    async def aclose(self) -> None:
        """Close the pool of the running loop; waiting messages fail as if the hop were down."""
        state = self._loops.pop(asyncio.get_running_loop(), None)
        if state is None:
            return
        for lane in state.lanes.values():
            if lane.timer is not None:
                lane.timer.cancel()
        for task in list(state.tasks):
            task.cancel()
        if state.tasks:
            await asyncio.gather(*state.tasks, return_exceptions=True)
        await state.session.close()

    def pin(self, node: str, base_url: str, fingerprint: str | None) -> None:
        """Connections to ``base_url`` must show the TLS key ``fingerprint`` that the signed
        registry binds to ``node`` (checked once per connection, before anything is sent)."""
        parts = urlsplit(base_url)
        if parts.scheme == "https" and parts.hostname:
            self._pins[(parts.hostname, parts.port or 443)] = (node, fingerprint)

    async def send(self, hop: str, base_url: str, pin: str | None, item: HopItem) -> HopResult:
        """Hand ``item`` to node ``hop`` at ``base_url`` whose TLS key the registry binds to
        ``pin``; what came back for it, or ProviderUnavailable naming ``hop`` when it did not
        answer before the deadline."""
        lanes = self._state().lanes
        lane = lanes.get((hop, base_url))
        if lane is None:  # later changes of the key come with each registry (NodeDirectory)
            if not base_url.startswith("https://") and not self.settings.plain_http:
                raise ProviderUnavailable(hop, f"endpoint {base_url} is not https")
            self.pin(hop, base_url, pin)
            lane = lanes[(hop, base_url)] = _Lane(hop, base_url + MESSAGES_PATH)
        future: asyncio.Future[HopResult] = asyncio.get_running_loop().create_future()
        lane.waiting.append((item, future))
        if lane.in_flight < self.settings.parallel:
            self._launch(lane)
        elif lane.timer is None:
            lane.timer = asyncio.get_running_loop().call_later(
                self.settings.max_wait, self._overdue, lane
            )
        remaining = item.deadline - self._clock()
        try:
            return await asyncio.wait_for(asyncio.shield(future), max(remaining, 0.0))
        except TimeoutError:
            raise ProviderUnavailable(hop, f"no answer within {max(remaining, 0):.1f} s") from None

    def _overdue(self, lane: _Lane) -> None:
        lane.timer = None
        if lane.waiting:
            self._launch(lane)

    def _launch(self, lane: _Lane) -> None:
        batch: list[tuple[HopItem, asyncio.Future[HopResult]]] = []
        size = 0
        while lane.waiting and len(batch) < MAX_ITEMS:
            item, future = lane.waiting[0]
            if batch and size + len(item.raw) > _BATCH_BYTES:
                break
            lane.waiting.pop(0)
            if not future.done():  # its sender gave up already
                batch.append((item, future))
                size += len(item.raw)
        if not batch:
            return
        lane.in_flight += 1
        tasks = self._state().tasks
        task = asyncio.get_running_loop().create_task(self._carry(lane, batch))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _carry(
        self, lane: _Lane, batch: list[tuple[HopItem, asyncio.Future[HopResult]]]
    ) -> None:
        try:
            results = await self._post(lane, [item for item, _ in batch])
        except asyncio.CancelledError:  # the node is stopping
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # every waiting sender learns why
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
        finally:
            lane.in_flight -= 1
            if lane.waiting and lane.in_flight < self.settings.parallel:
                self._launch(lane)

    async def _post(self, lane: _Lane, items: Sequence[HopItem]) -> list[HopResult]:
        settings = self.settings
        deadline = max(item.deadline for item in items)
        last: Exception | None = None
        for attempt in range(settings.retries + 1):
            remaining = deadline - self._clock()
            if remaining <= 0.05:
                break
            body = seal_envelope(
                self._signer(), sender=self.code, receiver=lane.hop, items=items, now=self._clock()
            )
            timeout = aiohttp.ClientTimeout(
                total=remaining, sock_connect=min(settings.connect_timeout, remaining)
            )
            try:
                return await self._exchange(lane, body, len(items), timeout)
            except _RETRYABLE as exc:
                last = exc
                if attempt < settings.retries:
                    pause = min(_BACKOFF * 3**attempt, max(0.0, deadline - self._clock()))
                    await asyncio.sleep(pause)
            except TimeoutError as exc:
                raise ProviderUnavailable(lane.hop, f"no answer within {remaining:.1f} s") from exc
            except (aiohttp.ClientError, ValueError) as exc:
                raise ProviderUnavailable(lane.hop, f"transport error {exc!r}") from exc
        what = type(last).__name__ if last else "deadline passed"
        raise ProviderUnavailable(lane.hop, f"{what} after {settings.retries + 1} attempt(s)")

    async def _exchange(
        self, lane: _Lane, body: bytes, count: int, timeout: aiohttp.ClientTimeout
    ) -> list[HopResult]:
        headers = {"content-type": JOSE}
        async with self._state().session.post(
            lane.url, data=body, headers=headers, timeout=timeout
        ) as r:
            if r.content_length is not None and r.content_length > MAX_RESULTS:
                raise ValueError(f"response of {r.content_length} bytes")
            content = await r.content.read(MAX_RESULTS + 1)
            if len(content) > MAX_RESULTS:
                raise ValueError("response over the limit of a hop's results")
            media = r.headers.get("content-type", "application/octet-stream")
            if r.status != 200 or not media.startswith("application/json"):
                # The whole envelope was refused (or the peer is no node): every item learns it.
                return [HopResult(r.status, media, content)] * count
            return decode_results(content, count)
