"""``certfree serve`` as a real process, for the tests that run the command a user types."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from helpers.livenode import free_port

__all__ = ["CERTFREE", "served_node"]

CERTFREE = [sys.executable, "-m", "certfree"]
# Long enough for a cold start on a busy machine (imports, migrations checked, keys opened).
_COME_UP = 60.0


@contextmanager
def served_node(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """``certfree serve --port PORT`` with ``env`` until the block ends; yields its base URL
    once ``/healthz`` answers. Its output goes to ``log``, shown when it does not come up.
    Its node-to-node TLS listener takes a free port too (unless ``env`` names one)."""
    env = {"CERTFREE_EXCHANGE_PORT": str(free_port()), **env}
    with (
        log.open("w") as output,
        subprocess.Popen(  # noqa: S603 - our own command with fixed arguments
            [*CERTFREE, "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        ) as process,
    ):
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, process, log)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + _COME_UP
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"certfree serve did not come up:\n{log.read_text()}")
