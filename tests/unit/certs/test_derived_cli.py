"""``certfree certs verify --offline`` of an age proved on the holder's device: a roadside
check of "aged 60 or over" from a resident ID card, with no birth date and no network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certfree.cli.certs import app
from certfree.crypto import KeyStore, present_sd_jwt
from certfree.wallet import HolderKey, present
from factories.certificates import ID_CARD, issue_example

AUD, NONCE = "police:370102-roadside-7", "n-c0de"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_age_proof_verifies_offline_and_a_stretched_one_is_refused(
    cli_on_node: TestClient, keys: KeyStore, token_for: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    node = cli_on_node.app.state.node  # type: ignore[attr-defined]
    key = HolderKey.generate()
    with node.db.session() as session:
        issued = issue_example(session, keys, ID_CARD, key.public_jwk())
    monkeypatch.setenv("CERTFREE_TOKEN", token_for("verifier")["Authorization"][7:])
    saved = ("--out", str(tmp_path / "trust.jwt"), "--status-dir", str(tmp_path / "lists"))
    assert run("trust-list", "--url", "http://testserver", *saved)[0] == 0
    offline = ("--offline", "--trust-list", saved[1], "--status-dir", saved[3], "--audience", AUD)

    shown = present(
        issued.credential, key, [], audience=AUD, nonce=NONCE, prove=["age_at_least:60"]
    )
    (tmp_path / "shown.txt").write_text(shown, encoding="ascii")
    code, out, err = run("verify", str(tmp_path / "shown.txt"), "--nonce", NONCE, *offline)
    assert code == 0, err
    assert "age_at_least: 60" in out.splitlines()
    assert "birth_date" not in out

    statement = {"years": 61, "proof": "A" * 43}  # no chain walks to the anchor from this
    forged = present_sd_jwt(
        issued.credential, ["age_anchor"], key.signer(), audience=AUD, nonce=NONCE,
        kb_claims={"derived": {"age_at_least": statement}},
    )  # fmt: skip
    (tmp_path / "forged.txt").write_text(forged, encoding="ascii")
    code, out, err = run("verify", str(tmp_path / "forged.txt"), "--nonce", NONCE, *offline)
    assert code == 1
    assert "derived: age_proof_mismatch" in err
    assert "年满 61 周岁" in err
    assert out == ""
