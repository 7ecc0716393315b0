"""Online mode (低端手机): the holder trades a signed presentation for a one-time short code."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from certfree.cli.wallet import app
from certfree.crypto import parse_sd_jwt
from certfree.wallet import HolderKey, ShortCodeFailed, request_short_code

ReadQr = Callable[[bytes], list[str]]


def platform(status: int, body: object) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert "presentation" in json.loads(request.content)
        return httpx.Response(status, json=body)

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_code_and_its_details_are_returned() -> None:
    body = {"code": "K7Q2-9M4X", "expires_in": 120, "redeem_url": "https://p.example/r/K7Q2"}
    with platform(201, body) as client:
        issued = request_short_code("jwt~d~kb", "https://p.example/codes", client=client)
    assert issued.code == "K7Q2-9M4X"
    assert issued.expires_in == 120
    assert issued.qr_text == "https://p.example/r/K7Q2"


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (503, {"detail": "维护中"}, r"HTTP 503.*维护中"),
        (200, {"nothing": 1}, "没有有效的短码"),
        (200, {"code": "x" * 300}, "没有有效的短码"),
    ],
)
def test_refusals_are_named(status: int, body: object, reason: str) -> None:
    with platform(status, body) as client, pytest.raises(ShortCodeFailed, match=reason):
        request_short_code("jwt~d~kb", "https://p.example/codes", client=client)


def test_unreachable_platform_is_named() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with (
        httpx.Client(transport=httpx.MockTransport(fail)) as client,
        pytest.raises(ShortCodeFailed, match="无法连接平台"),
    ):
        request_short_code("p", "https://p.example/codes", client=client)


class _Platform(BaseHTTPRequestHandler):
    received: list[str] = []  # noqa: RUF012 — one test server, read after it stops

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length))["presentation"])
        payload = json.dumps({"code": "48213", "expires_in": 90}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def platform_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Platform)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v1/short-codes"
    server.shutdown()
    server.server_close()
    thread.join()


def test_cli_posts_the_presentation_and_prints_the_code(
    tmp_path: Path,
    platform_url: str,
    holder: HolderKey,
    credential: str,
    read_qr: ReadQr,
) -> None:
    holder.save(tmp_path / "me.jwk")
    (tmp_path / "cred.txt").write_text(credential, encoding="ascii")
    _Platform.received.clear()

    result = CliRunner().invoke(
        app,
        [
            "short-code", str(tmp_path / "cred.txt"), "--key", str(tmp_path / "me.jwk"),
            "--url", platform_url, "--disclose", "age_over_60", "--audience", "A",
            "--nonce", "N", "--qr", str(tmp_path / "code.png"),
        ],
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "48213"
    assert "90 秒内有效" in result.stderr
    (sent,) = _Platform.received
    assert [d.name for d in parse_sd_jwt(sent).disclosures] == ["age_over_60"]
    assert read_qr((tmp_path / "code.png").read_bytes()) == ["48213"]
