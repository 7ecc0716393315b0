"""`certfree serve` as a real process: the public port over plain HTTP, the exchange port over
TLS 1.3 with a client certificate of the node's CA required, both ended by one SIGTERM."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from certfree.crypto.tls import (
    TlsFiles,
    client_context,
    fingerprint,
    load_certificate,
    peer_fingerprint,
)
from certfree.settings import DEV_PASSPHRASE
from helpers.livenode import free_port
from helpers.serving import CERTFREE

pytestmark = pytest.mark.slow  # node processes


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    public: str
    exchange: str
    tls: TlsFiles
    log: Path


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run([*CERTFREE, *args], env=env, check=True, capture_output=True, timeout=120)  # noqa: S603


@pytest.fixture(params=[1, 2], ids=["one-process", "two-workers"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, empty_database_url: str
) -> Iterator[Served]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFREE_")}
    port, exchange_port = free_port(), free_port()
    env.update(
        CERTFREE_DATABASE_URL=empty_database_url,
        CERTFREE_KEY_DIR=str(tmp_path / "keys"),
        CERTFREE_KEY_SCRYPT_N=os.environ.get("CERTFREE_KEY_SCRYPT_N", "16"),
        CERTFREE_EXCHANGE_PORT=str(exchange_port),
    )
    _run(env, "db", "upgrade")
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [*CERTFREE, "serve", "--port", str(port), "--workers", str(request.param)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    directory = tmp_path / "keys" / "tls"
    tls = TlsFiles(
        directory / "node.pem", directory / "node.key.pem", directory / "ca.pem", DEV_PASSPHRASE
    )
    served = Served(
        process, f"http://127.0.0.1:{port}", f"https://127.0.0.1:{exchange_port}", tls, log
    )
    try:
        _wait(served)
        yield served
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _wait(served: Served) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and served.process.poll() is None:
        try:
            public = httpx.get(f"{served.public}/healthz", timeout=1)
            exchange = httpx.get(
                f"{served.exchange}/healthz", timeout=1, verify=client_context(served.tls)
            )
            if public.status_code == exchange.status_code == 200:
                return
        except (httpx.TransportError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"certfree serve did not come up:\n{served.log.read_text()}")


def test_the_exchange_port_speaks_mutual_tls_13_only(served: Served) -> None:
    with httpx.Client(verify=client_context(served.tls), timeout=10) as client:
        answer = client.get(f"{served.exchange}/healthz")
        assert answer.json()["status"] == "ok"
        stream = answer.extensions["network_stream"]
        assert stream.get_extra_info("ssl_object").version() == "TLSv1.3"
        # The key the node shows is the one of its certificate (what the registry binds).
        assert peer_fingerprint(stream) == fingerprint(load_certificate(served.tls.cert))

    # A client without a certificate: refused once the server reads the handshake's end.
    anonymous = ssl.create_default_context(cafile=served.tls.ca)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{served.exchange}/healthz", verify=anonymous, timeout=10)

    # TLS 1.2 (with a good certificate): no handshake.
    old = client_context(served.tls)
    old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{served.exchange}/healthz", verify=old, timeout=10)

    # A node message in plain HTTP to the exchange port gets no answer.
    plain = served.exchange.replace("https://", "http://")
    with pytest.raises(httpx.TransportError):
        httpx.post(f"{plain}/api/v1/exchange/messages", content=b"{}", timeout=10)

    # The public port is plain HTTP, as before.
    assert httpx.get(f"{served.public}/healthz", timeout=10).status_code == 200


def test_one_sigterm_ends_both_listeners_after_one_lifespan(served: Served) -> None:
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=60) == 0
    log = served.log.read_text()
    workers = log.count("Waiting for application startup.")
    assert workers >= 1
    # One lifespan per process (the public server's); the exchange server has none.
    assert log.count("Application shutdown complete.") == workers
    for url in (served.public, served.exchange):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/healthz", timeout=2, verify=client_context(served.tls))
