"""Measure the HTTP client candidates for node hops on this machine: aiohttp and httpx.

A hop is a POST of a ~1.2 KiB signed envelope to the next node over mutual TLS 1.3 on a
keep-alive connection, answered with ~1.5 KiB. This starts a bare uvicorn server (httptools,
the same server a node runs) in a child process with certificates from
:mod:`certfree.crypto.tls`, then drives it from each client with 16 requests in flight and
prints requests/s and the client's own CPU per request, as a ratio to the cheapest.

    python bench/hop_clients.py [--requests 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx

from certfree.crypto import tls

BODY = b"y" * 1200
REPLY = b"x" * 1500
IN_FLIGHT = 16


async def _app(scope: dict, receive: Callable, send: Callable) -> None:  # type: ignore[type-arg]
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"1500")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": REPLY})


def _serve(port: int, directory: Path) -> None:
    import ssl  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415, TID251 - a bare server to measure clients against

    uvicorn.run(
        _app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        http="httptools",
        ssl_certfile=str(directory / "node.pem"),
        ssl_keyfile=str(directory / "node.key"),
        ssl_ca_certs=str(directory / "ca.pem"),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
    )


def _material(directory: Path) -> tls.TlsFiles:
    ca_key, ca_cert = tls.create_ca()
    key, cert = tls.issue_node_certificate(ca_key, ca_cert, "370000", ["127.0.0.1"])
    tls.write_certificate(directory / "ca.pem", ca_cert)
    tls.write_certificate(directory / "node.pem", cert)
    tls.write_key(directory / "node.key", key, None)
    return tls.TlsFiles(directory / "node.pem", directory / "node.key", directory / "ca.pem")


async def _measure(
    name: str, post: Callable[[], Awaitable[None]], count: int
) -> tuple[float, float]:
    async def worker(n: int) -> None:
        for _ in range(n):
            await post()

    await worker(50)  # connections open, TLS handshakes done
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(count // IN_FLIGHT) for _ in range(IN_FLIGHT)))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return count / wall, cpu / count * 1e6


async def _run(url: str, files: tls.TlsFiles, count: int) -> dict[str, tuple[float, float]]:
    context = tls.client_context(files)
    results = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as session:

        async def post_aiohttp() -> None:
            async with session.post(url, data=BODY) as response:
                await response.read()

        results["aiohttp"] = await _measure("aiohttp", post_aiohttp, count)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(verify=context, limits=limits) as client:

        async def post_httpx() -> None:
            (await client.post(url, content=BODY)).read()

        results["httpx"] = await _measure("httpx", post_httpx, count)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(int(args.serve[0]), Path(args.serve[1]))
        return
    with tempfile.TemporaryDirectory() as temp, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        files = _material(Path(temp))
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), temp])  # noqa: S603
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            results = asyncio.run(_run(f"https://127.0.0.1:{port}/m", files, args.requests))
        finally:
            server.terminate()
            server.wait()
    cheapest = min(cpu for _, cpu in results.values())
    print(f"POST {len(BODY)} B → {len(REPLY)} B over mutual TLS 1.3, {IN_FLIGHT} in flight")
    for name, (rate, cpu) in results.items():
        print(
            f"{name:8s} {rate:8,.0f} requests/s  client CPU {cpu:6.0f} µs/request "
            f"({cpu / cheapest:.1f}× the cheapest)"
        )


if __name__ == "__main__":
    main()
