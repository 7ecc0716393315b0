"""One public URL (``CERTFREE_PUBLIC_URL``, else http://127.0.0.1:<port of certfree serve>):
the status-list URI in every certificate resolves at the node that issued it, whichever port
it is served on, and a first certificate issued under another address does not pin its
issuer's lists there for good."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from certfree.app import create_app
from certfree.auth import TokenService
from certfree.cli import app as cli
from certfree.crypto import Alg, KeyStore, Signer, generate_signer, parse_sd_jwt, present_sd_jwt
from certfree.settings import Settings
from certfree.storage import Database
from factories.certificates import ELDERLY_CARD, example_face
from helpers.cli import node_env
from helpers.livenode import free_port, serving

# Certificates are issued by the demo province's department nodes, registered first.
pytestmark = pytest.mark.usefixtures("demo_registry")

HOLDER = "370102195803150139"  # the elderly card's catalogue example
ISSUER_NODE = "370100-WJ"  # its default issuing organ
AUD, NONCE = "scenic-spot-01", "n-7f3a"
STATUS_LIST_TYPE = "application/statuslist+jwt"
# A shell with neither CERTFREE_PUBLIC_URL nor PORT: the CLI's address is port 8000's.
NO_ADDRESS: dict[str, str | None] = {"CERTFREE_PUBLIC_URL": None, "PORT": None}

runner = CliRunner()


@pytest.fixture
def port() -> int:
    port = free_port()
    assert port != 8000
    return port


@pytest.fixture
def served(settings: Settings, db: Database, keys: KeyStore, port: int) -> Iterator[str]:
    """The node served on ``port``, configured only with that port (as `certfree serve
    --port` or `PORT=… make run` configures it), not with a public URL."""
    del db, keys
    node = create_app(settings.model_copy(update={"port": port}))
    with serving(node, port=port) as url:
        yield url


def _token(settings: Settings, role: str, subject: str, organisation: str | None = None) -> str:
    tokens = TokenService(settings, KeyStore(settings.key_dir, settings.key_passphrase))
    return tokens.issue(role, subject, organisation=organisation)


def _issue_over_http(
    base: str, settings: Settings, holder: Signer, **headers: str
) -> dict[str, Any]:
    token = _token(settings, "department_admin", "admin-1", ISSUER_NODE)
    body = {
        "type_code": ELDERLY_CARD,
        "holder_id": HOLDER,
        "face_data": example_face(ELDERLY_CARD),
        "holder_jwk": holder.public_jwk(),
    }
    answer = httpx.post(
        f"{base}/api/v1/certificates",
        json=body,
        headers={"Authorization": f"Bearer {token}", **headers},
    )
    assert answer.status_code == 201, answer.text
    issued: dict[str, Any] = answer.json()
    return issued


def _issue_on_the_command_line(
    settings: Settings, tmp_path: Path, holder: Signer, env: dict[str, str | None]
) -> str:
    face, key = tmp_path / "face.json", tmp_path / "holder.pub.jwk"
    face.write_text(json.dumps(example_face(ELDERLY_CARD)), encoding="utf-8")
    key.write_text(json.dumps(holder.public_jwk()), encoding="utf-8")
    result = runner.invoke(
        cli,
        ["certs", "issue", "--type", ELDERLY_CARD, "--data", str(face), "--holder-key", str(key)],
        env={**node_env(settings), **env},
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _status_uri(credential: str) -> str:
    uri: str = parse_sd_jwt(credential).payload["status"]["status_list"]["uri"]
    return uri


def _verify(
    settings: Settings, tmp_path: Path, credential: str, holder: Signer, *offline: str
) -> dict[str, Any]:
    """``certfree certs verify`` of a presentation of ``credential``: online (status lists
    fetched from the URIs the certificate names) unless ``offline`` options are given."""
    shown = tmp_path / "shown.txt"
    shown.write_text(present_sd_jwt(credential, [], holder, audience=AUD, nonce=NONCE))
    result = runner.invoke(
        cli,
        ["certs", "verify", str(shown), "--audience", AUD, "--nonce", NONCE, "--json", *offline],
        env=node_env(settings),
    )
    verdict: dict[str, Any] = json.loads(result.stdout)
    assert result.exit_code == (0 if verdict["valid"] else 1)
    return verdict


def test_a_node_on_another_port_issues_certificates_whose_status_list_resolves(
    settings: Settings, served: str, port: int, tmp_path: Path
) -> None:
    holder = generate_signer(Alg.ES256)
    # Over HTTP, whatever Host the request names, and on the command line of the server's
    # environment (PORT, as `PORT=… make run` sets it).
    issued = _issue_over_http(served, settings, holder, Host="certs.evil.example")
    uri = issued["status_list"]["uri"]
    assert uri.startswith(f"http://127.0.0.1:{port}/api/v1/status-lists/")
    assert uri == _status_uri(issued["credential"])
    on_the_command_line = _issue_on_the_command_line(
        settings, tmp_path, holder, {**NO_ADDRESS, "PORT": str(port)}
    )
    assert _status_uri(on_the_command_line) == uri

    fetched = httpx.get(uri)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == STATUS_LIST_TYPE

    for credential in (issued["credential"], on_the_command_line):
        verdict = _verify(settings, tmp_path, credential, holder)
        assert verdict["valid"] is True, verdict
        assert verdict["failed_checks"] == []


def test_the_first_issue_does_not_pin_a_wrong_status_list_uri(
    settings: Settings, served: str, port: int, tmp_path: Path
) -> None:
    holder = generate_signer(Alg.ES256)
    # First, on the command line of a shell that names no address: the list is at port 8000.
    first = _issue_on_the_command_line(settings, tmp_path, holder, NO_ADDRESS)
    first_uri = _status_uri(first)
    assert first_uri.startswith("http://127.0.0.1:8000/api/v1/status-lists/")

    # The node, served on another port, puts what it issues in a list at its own address.
    second = _issue_over_http(served, settings, holder)
    second_uri = second["status_list"]["uri"]
    assert second_uri.startswith(f"{served}/api/v1/status-lists/")
    # A new list of the same issuer; the first stays as its certificates name it.
    assert second_uri.rsplit("/", 1)[0] == served + urlsplit(first_uri).path.rsplit("/", 1)[0]
    assert urlsplit(second_uri).path != urlsplit(first_uri).path
    assert httpx.get(second_uri).status_code == 200
    assert _verify(settings, tmp_path, second["credential"], holder)["valid"] is True

    # The command line in the server's environment (PORT, as `PORT=… make run` sets it)
    # issues into that same list.
    third = _issue_on_the_command_line(
        settings, tmp_path, holder, {**NO_ADDRESS, "PORT": str(port)}
    )
    assert _status_uri(third) == second_uri

    # A verifier saving the node's lists gets every one, the first included (fetched from
    # the node by its path, found offline by the URI its certificates name).
    trust, lists = tmp_path / "trust.jwt", tmp_path / "lists"
    token = _token(settings, "verifier", AUD)
    saved = runner.invoke(
        cli,
        ["certs", "trust-list", "--url", served, "--out", str(trust), "--status-dir", str(lists)],
        env={**node_env(settings), "CERTFREE_TOKEN": token},
    )
    assert saved.exit_code == 0, saved.output
    assert "2 个状态列表" in saved.stderr
    again = runner.invoke(
        cli,
        ["--lang", "en", "certs", "trust-list", "--url", served, "--out", str(trust),
         "--status-dir", str(lists)],
        env={**node_env(settings), "CERTFREE_TOKEN": token},
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "2 status lists" in again.stderr
    for credential in (first, second["credential"], third):
        offline = ("--offline", "--trust-list", str(trust), "--status-dir", str(lists))
        assert _verify(settings, tmp_path, credential, holder, *offline)["valid"] is True


@pytest.fixture
def serve_process(
    settings: Settings, db: Database, keys: KeyStore, port: int, tmp_path: Path
) -> Iterator[str]:
    """``certfree serve --port <port>`` as a user starts it, in a shell without PORT or
    CERTFREE_PUBLIC_URL."""
    del db, keys
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFREE_") and k != "PORT"}
    env.update(node_env(settings))
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "certfree", "serve", "--port", str(port), "--no-access-log"]
    with (
        log.open("w") as output,
        subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT) as process,  # noqa: S603
    ):
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                pytest.fail(f"certfree serve did not come up:\n{log.read_text()}")
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_certfree_serve_on_another_port_issues_under_that_port(
    settings: Settings, serve_process: str, port: int, tmp_path: Path
) -> None:
    holder = generate_signer(Alg.ES256)
    issued = _issue_over_http(serve_process, settings, holder)
    uri = issued["status_list"]["uri"]
    assert uri.startswith(f"http://127.0.0.1:{port}/api/v1/status-lists/")
    assert httpx.get(uri).headers["content-type"] == STATUS_LIST_TYPE
    assert _verify(settings, tmp_path, issued["credential"], holder)["valid"] is True
