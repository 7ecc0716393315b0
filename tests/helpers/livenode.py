"""A node served by uvicorn on a free loopback port, in a thread of the test process."""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI

# Each pytest-xdist worker takes ports from its own range, below the kernel's ephemeral
# ports (32768 and up on Linux), which `certfree cluster up` and the kernel hand out. So a
# port that a test frees, by killing a node it then expects to be unreachable, is not taken
# over meanwhile by a server of a test running in another worker.
_PORTS_FROM, _PORTS_PER_WORKER, _WORKER_RANGES = 10_000, 2_000, 11


def free_port() -> int:
    """A loopback port nobody listens on now, from this worker's range."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    low = _PORTS_FROM + (worker % _WORKER_RANGES) * _PORTS_PER_WORKER
    for port in random.sample(range(low, low + _PORTS_PER_WORKER), _PORTS_PER_WORKER):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {low}-{low + _PORTS_PER_WORKER - 1}")


@contextmanager
def serving(app: FastAPI, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` over real HTTP until the block ends; yields its base URL.

    ``port`` (from :func:`free_port`) when the app must know its address before it is served,
    as a node's public URL (``Settings.public_url``) does."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
