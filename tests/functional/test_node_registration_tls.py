"""A node registers the key of its TLS certificate with the province, and the signed registry
binds it: what a sender checks the peer it reaches against (crypto.tls.check_peer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certfree.cli import app as cli
from certfree.crypto import KeyStore, generate_signer
from certfree.crypto.tls import development_tls, fingerprint, load_certificate
from certfree.exchange.protocol.registry import verify_registry
from certfree.settings import Settings
from helpers.cli import node_env

pytestmark = pytest.mark.usefixtures("demo_registry")

ZIBO = "370300"


def _certificate(tmp_path: Path, code: str) -> tuple[str, str]:
    """(PEM, fingerprint) of a development certificate for node ``code``."""
    files = development_tls(tmp_path / code, code, ["127.0.0.1"], "not-secret-passphrase")
    return files.cert.read_text(), fingerprint(load_certificate(files.cert))


def _register(client: TestClient, admin: dict[str, str], **fields: Any) -> Any:
    jwks = {"keys": [generate_signer().public_jwk()]}
    return client.post(
        f"/api/v1/exchange/nodes/{ZIBO}/registration",
        json={"jwks": jwks, "endpoint_url": "https://127.0.0.1:18443", **fields},
        headers=admin,
    )


def test_the_signed_registry_binds_the_registered_tls_key(
    client: TestClient, token_for: Any, keys: KeyStore, tmp_path: Path
) -> None:
    pem, pin = _certificate(tmp_path, ZIBO)
    admin = token_for("bureau_admin", "admin-1")

    registered = _register(client, admin, tls_certificate=pem, public_url="https://zb.example.cn/")
    assert registered.status_code == 200, registered.text
    assert registered.json()["tls_fingerprint"] == pin
    # People reach it at its public URL; the endpoint takes nodes' certificates only.
    assert registered.json()["public_url"] == "https://zb.example.cn"
    assert client.post(f"/api/v1/exchange/nodes/{ZIBO}/approve", headers=admin).is_success

    snapshot = verify_registry(client.get("/api/v1/exchange/registry").text, keys.jwks("node"))
    peer = snapshot.peers[ZIBO]
    assert (peer.endpoint, peer.tls, peer.status) == ("https://127.0.0.1:18443", pin, "active")

    # New signing keys without a certificate: the key registered before stays bound.
    again = _register(client, admin)
    assert again.json()["tls_fingerprint"] == pin
    assert again.json()["public_url"] == "https://zb.example.cn"


def test_a_certificate_for_another_node_or_none_at_all_is_refused(
    client: TestClient, token_for: Any, keys: KeyStore, tmp_path: Path
) -> None:
    admin = token_for("bureau_admin", "admin-1")
    other, _ = _certificate(tmp_path, "370200")
    for bad, says in ((other, "370200"), ("not a certificate", "PEM")):
        refused = _register(client, admin, tls_certificate=bad)
        assert refused.status_code == 422
        problem = refused.json()
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert problem["field"] == "tls_certificate"
        assert says in problem["detail"]
    # Nothing stored: the node is not in the registry, keys or endpoint.
    snapshot = verify_registry(client.get("/api/v1/exchange/registry").text, keys.jwks("node"))
    assert ZIBO not in snapshot.peers


def test_the_province_registers_a_node_with_its_certificate_from_the_command_line(
    settings: Settings, keys: KeyStore, tmp_path: Path
) -> None:
    pem, pin = _certificate(tmp_path, ZIBO)
    (tmp_path / "zibo.pem").write_text(pem)
    (tmp_path / "zibo.jwks.json").write_text(json.dumps({"keys": [generate_signer().public_jwk()]}))
    args = ["exchange", "nodes", "register", ZIBO, "--endpoint", "https://127.0.0.1:18443"]
    args += ["--jwks", str(tmp_path / "zibo.jwks.json"), "--approve"]
    runner = CliRunner()

    done = runner.invoke(
        cli, [*args, "--tls-cert", str(tmp_path / "zibo.pem")], env=node_env(settings)
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["tls_fingerprint"] == pin

    wrong = tmp_path / "other.pem"
    wrong.write_text(_certificate(tmp_path, "370200")[0])
    refused = runner.invoke(cli, [*args, "--tls-cert", str(wrong)], env=node_env(settings))
    assert refused.exit_code != 0
    assert "370200" in refused.output
