"""The two listeners of ``certfree serve``, on one app in each process.

* the public port: pages and the API over plain HTTP (an operator puts TLS in front for
  browsers), as before, but no node message (421, :class:`_PublicOnly`);
* the exchange port: node-to-node hops over TLS 1.3 with a client certificate of the exchange
  CA required (``crypto.tls.server_context``; uvicorn's own context would allow TLS 1.2).

The app's lifespan (the exchange runtime, the audit writer) runs once, on the public server;
the exchange server opens after it has started and serves the same app with ``lifespan="off"``.
A signal (SIGTERM, SIGINT) ends both; one ending for any other reason (a port taken) ends
the other. With several workers the parent binds both sockets and every worker serves both.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import signal
import socket
import sys
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.loops.auto import auto_loop_factory

from certfree.api.problems import certfree_problem
from certfree.app import create_app
from certfree.crypto import TlsFiles, server_context
from certfree.exchange.errors import ExchangePortOnly
from certfree.exchange.protocol.lanes import MESSAGES_PATH

__all__ = ["Listeners", "serve_listeners"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_STOP_GRACE = 15.0  # seconds a worker gets to finish after SIGTERM


@dataclass(frozen=True)
class Listeners:
    """Where and how ``certfree serve`` listens (picklable: it crosses to worker processes)."""

    host: str
    port: int
    exchange_port: int
    tls: TlsFiles
    access_log: bool = True


class _Listener(uvicorn.Server):
    """A uvicorn server whose signals the pair handles (uvicorn's own handler would stop one)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _PublicOnly:
    """The app on the public listener: node messages are refused there, so that every one
    arrives over the exchange listener's mutual TLS; everything else goes to ``app``."""

    def __init__(self, app: ASGIApp, exchange_port: int) -> None:
        self.app = app
        self.exchange_port = exchange_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == MESSAGES_PATH:
            refused = ExchangePortOnly(self.exchange_port)
            await (await certfree_problem(Request(scope), refused))(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _exchange_context(tls: TlsFiles, _config: uvicorn.Config, _default: Any) -> Any:
    return server_context(tls)


def _servers(app: ASGIApp, listeners: Listeners) -> tuple[_Listener, _Listener]:
    common: dict[str, Any] = {"log_level": "info", "access_log": listeners.access_log}
    public = uvicorn.Config(
        _PublicOnly(app, listeners.exchange_port),
        host=listeners.host,
        port=listeners.port,
        **common,
    )
    exchange = uvicorn.Config(
        app,
        host=listeners.host,
        port=listeners.exchange_port,
        lifespan="off",
        ssl_context_factory=functools.partial(_exchange_context, listeners.tls),
        **common,
    )
    return _Listener(public), _Listener(exchange)


async def _serve(server: _Listener, sockets: list[socket.socket] | None) -> bool:
    """Whether ``server`` started (uvicorn exits the process when it cannot bind)."""
    try:
        await server.serve(sockets=sockets)
    except SystemExit:
        return False
    return server.started


async def _serve_pair(
    app: ASGIApp, listeners: Listeners, sockets: tuple[socket.socket, socket.socket] | None
) -> bool:
    public, exchange = _servers(app, listeners)

    def stop() -> None:
        for server in (public, exchange):
            server.should_exit = True

    def signalled() -> None:
        for server in (public, exchange):
            server.force_exit = server.should_exit  # a second signal: stop waiting
        stop()

    loop = asyncio.get_running_loop()
    for sig in _SIGNALS:
        loop.add_signal_handler(sig, signalled)
    first = asyncio.create_task(_serve(public, [sockets[0]] if sockets else None))
    while not public.started and not first.done():
        await asyncio.sleep(0.05)
    if first.done():
        return False
    second = asyncio.create_task(_serve(exchange, [sockets[1]] if sockets else None))
    await asyncio.wait({first, second}, return_when=asyncio.FIRST_COMPLETED)
    stop()
    return all(await asyncio.gather(first, second))


def _run(pair: Coroutine[Any, Any, bool]) -> bool:
    """Run the pair on uvloop where it is installed, as ``uvicorn.run`` would: its sockets and
    TLS are several times cheaper than asyncio's selector loop."""
    with asyncio.Runner(loop_factory=auto_loop_factory()) as runner:
        return runner.run(pair)


def _worker(listeners: Listeners, sockets: tuple[socket.socket, socket.socket] | None) -> None:
    if not _run(_serve_pair(create_app(), listeners, sockets)):
        sys.exit(1)


def serve_listeners(app: ASGIApp | None, listeners: Listeners, workers: int = 1) -> None:
    """Serve ``app`` on both listeners until a signal; with ``workers`` > 1 each worker
    process builds its own app from the CERTFREE_* environment (``app`` is then unused).
    Exits with status 1 if a listener could not start."""
    if workers == 1:
        assert app is not None
        if not _run(_serve_pair(app, listeners, None)):
            sys.exit(1)
        return
    sockets = (
        uvicorn.Config("", host=listeners.host, port=listeners.port).bind_socket(),
        uvicorn.Config("", host=listeners.host, port=listeners.exchange_port).bind_socket(),
    )
    stopping = threading.Event()
    for sig in _SIGNALS:
        signal.signal(sig, lambda *_: stopping.set())
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_worker, args=(listeners, sockets)) for _ in range(workers)]
    for process in processes:
        process.start()
    while not stopping.wait(0.5):
        if any(not process.is_alive() for process in processes):
            break  # a worker died: stop the rest rather than serve short-handed
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(_STOP_GRACE)
        if process.is_alive():
            process.kill()
            process.join()
    for sock in sockets:
        sock.close()
    if not stopping.is_set():
        sys.exit(1)
