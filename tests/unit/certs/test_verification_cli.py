"""``certfree certs trust-list`` then ``certfree certs verify --offline``: a roadside check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certfree import certs
from certfree.cli.certs import app
from certfree.crypto import Alg, KeyStore, generate_signer, present_sd_jwt
from factories.certificates import ELDERLY_CARD, issue_example

AUD, NONCE = "police:370102-roadside-7", "n-a11f"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def saved(
    cli_on_node: TestClient,
    keys: KeyStore,
    token_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """A certificate issued on the node, shown to the police, trust list and lists saved."""
    node = cli_on_node.app.state.node  # type: ignore[attr-defined]
    holder = generate_signer(Alg.ES256)
    with node.db.session() as session:
        issued = issue_example(session, keys, ELDERLY_CARD, holder.public_jwk())
    shown = present_sd_jwt(issued.credential, [], holder, audience=AUD, nonce=NONCE)
    (tmp_path / "shown.txt").write_text(shown, encoding="ascii")
    bearer = token_for("verifier")["Authorization"].removeprefix("Bearer ")
    monkeypatch.setenv("CERTFREE_TOKEN", bearer)
    code, _, err = run(
        "trust-list",
        "--url",
        "http://testserver",
        "--out",
        str(tmp_path / "trust.jwt"),
        "--status-dir",
        str(tmp_path / "lists"),
    )
    assert code == 0, err
    assert "1 个状态列表" in err
    with monkeypatch.context() as english:
        english.setenv("CERTFREE_LANG", "en")
        code, _, err = run("trust-list", "--url", "http://testserver",
                           "--out", str(tmp_path / "trust.jwt"),
                           "--status-dir", str(tmp_path / "lists"))  # fmt: skip
    assert code == 0, err
    assert "1 status lists" in err
    return {"node": node, "issued": issued, "dir": tmp_path}


def _offline(directory: Path, *extra: str) -> tuple[int, str, str]:
    return run(
        "verify",
        str(directory / "shown.txt"),
        "--audience",
        AUD,
        "--nonce",
        NONCE,
        "--offline",
        "--trust-list",
        str(directory / "trust.jwt"),
        "--status-dir",
        str(directory / "lists"),
        *extra,
    )


def test_offline_verification_exits_0_with_the_result(saved: dict[str, Any]) -> None:
    code, out, _ = _offline(saved["dir"], "--json")
    result = json.loads(out)
    assert code == 0, result
    assert result["valid"] is True
    assert result["vct"] == ELDERLY_CARD
    assert result["failed_checks"] == []


def test_revocation_shows_offline_after_the_lists_are_refreshed(saved: dict[str, Any]) -> None:
    with saved["node"].db.session() as session:
        reason = next(iter(certs.RevocationReason))
        certs.revoke_certificate(session, saved["issued"].identifier, reason)
    assert _offline(saved["dir"])[0] == 0  # the saved list predates the revocation
    code, _, err = run(
        "trust-list",
        "--url",
        "http://testserver",
        "--out",
        str(saved["dir"] / "trust.jwt"),
        "--status-dir",
        str(saved["dir"] / "lists"),
    )
    assert code == 0, err
    code, _, err = _offline(saved["dir"])
    assert code == 1
    assert "status: revoked" in err


def test_wrong_nonce_exits_1_naming_the_reason(saved: dict[str, Any]) -> None:
    code, out, _ = run(
        "verify",
        str(saved["dir"] / "shown.txt"),
        "--audience",
        AUD,
        "--nonce",
        "stale",
        "--trust-list",
        str(saved["dir"] / "trust.jwt"),
        "--status-dir",
        str(saved["dir"] / "lists"),
        "--json",
    )
    assert code == 1
    assert [f["reason"] for f in json.loads(out)["failed_checks"]] == ["kb_wrong_nonce"]


def test_offline_without_saved_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "shown.txt").write_text("x~", encoding="ascii")
    code, _, err = run(
        "verify", str(tmp_path / "shown.txt"), "--audience", AUD, "--nonce", NONCE, "--offline"
    )
    assert code == 1
    assert "--trust-list" in err
