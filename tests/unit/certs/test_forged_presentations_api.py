"""The forgery corpus (``helpers.forgery``) through ``POST /api/v1/verifications`` and through
``certfree certs verify``: every class refused with a named reason, no 5xx, no traceback.

The credential is issued on the node by its own issuing organ, whose seal key re-seals the
mutated issuer JWTs; the node verifies with its own trust list and status lists, the CLI
offline from the trust list and status lists it saved from the node.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certfree.cli.certs import app
from certfree.crypto import Alg, KeyStore, generate_signer
from factories.certificates import ELDERLY_CARD, issue_example
from helpers.forgery import Forger

AUD, NONCE = "https://hotel.example.cn/front-desk", "n-3f9a"
POSTS_PER_ACCOUNT = 9  # under the per-certificate limit of one verifier account


@pytest.fixture
def forger(client: TestClient, keys: KeyStore) -> Forger:
    node = client.app.state.node  # type: ignore[attr-defined]
    holder = generate_signer(Alg.ES256)
    with node.db.session() as session:
        issued = issue_example(session, keys, ELDERLY_CARD, holder.public_jwk())
    seal = keys.signer(issued.issuer_uscc)
    return Forger(issued.credential, seal, holder, AUD, NONCE, int(time.time()))


def _accounts(token_for: Any) -> Iterator[dict[str, str]]:
    """Bearer headers of verifier accounts, a new one every POSTS_PER_ACCOUNT posts."""
    number = 0
    while True:
        headers = token_for("verifier", f"gate-{number}")
        for _ in range(POSTS_PER_ACCOUNT):
            yield headers
        number += 1


def _post(client: TestClient, headers: dict[str, str], presentation: str) -> Any:
    body = {"presentation": presentation, "audience": AUD, "nonce": NONCE}
    return client.post("/api/v1/verifications", json=body, headers=headers)


@pytest.mark.slow
def test_the_api_refuses_every_forgery_with_a_reason(
    client: TestClient, token_for: Any, forger: Forger
) -> None:
    accounts = _accounts(token_for)
    for kind, presentation in forger.control():
        response = _post(client, next(accounts), presentation)
        assert response.status_code == 200, (kind, response.text)
        assert response.json()["valid"], (kind, response.json()["failed_checks"])
    refused: dict[str, list[str]] = {}
    for kind, presentation in forger.corpus(flips=100):
        response = _post(client, next(accounts), presentation)
        assert response.status_code == 200, (kind, response.status_code, response.text[:300])
        result = response.json()
        assert result["valid"] is False, kind
        assert result["claims"] == {}, kind
        refused[kind] = [failure["reason"] for failure in result["failed_checks"]]
        assert refused[kind], kind
    assert refused["kb_iat:nan"] == ["malformed"]
    assert refused["typ:jwt"] == ["wrong_type"]
    assert refused["vct:missing"] == ["vct_missing"]
    assert refused["status:idx_true"] == ["status_malformed"]
    assert refused["nested_1000:disclosure"] == ["malformed_disclosure"]


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def offline(
    cli_on_node: TestClient,
    token_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The node's trust list and status lists saved for ``certs verify --offline``."""
    bearer = token_for("verifier")["Authorization"].removeprefix("Bearer ")
    monkeypatch.setenv("CERTFREE_TOKEN", bearer)
    saved = _cli(
        "trust-list",
        "--url",
        "http://testserver",
        "--out",
        str(tmp_path / "trust.jwt"),
        "--status-dir",
        str(tmp_path / "lists"),
    )
    assert saved.exit_code == 0, saved.stderr
    return tmp_path


def _verify_shown(directory: Path, *extra: str, trust_list: str = "trust.jwt") -> Any:
    """``certs verify --offline`` of ``shown.txt`` against what ``offline`` saved."""
    return _cli(
        "verify",
        str(directory / "shown.txt"),
        "--audience",
        AUD,
        "--nonce",
        NONCE,
        "--offline",
        "--trust-list",
        str(directory / trust_list),
        "--status-dir",
        str(directory / "lists"),
        *extra,
    )


def _verify_offline(directory: Path, presentation: str) -> Any:
    (directory / "shown.txt").write_text(presentation, encoding="utf-8")
    return _verify_shown(directory, "--json")


@pytest.mark.slow
def test_the_cli_refuses_every_forgery_and_exits_1(forger: Forger, offline: Path) -> None:
    genuine = _verify_offline(offline, forger.present())
    assert genuine.exit_code == 0, genuine.output
    reasons: dict[str, list[str]] = {}
    for kind, presentation in forger.corpus(flips=20):
        run = _verify_offline(offline, presentation)
        # A crash would leave its exception here (CliRunner catches it) and exit 1 as well.
        assert run.exception is None or isinstance(run.exception, SystemExit), (
            kind,
            run.exception,
        )
        assert run.exit_code == 1, (kind, run.output)
        result = json.loads(run.stdout)
        assert result["valid"] is False, kind
        reasons[kind] = [failure["reason"] for failure in result["failed_checks"]]
        assert reasons[kind], kind
    assert reasons["kb_iat:infinity"] == ["malformed"]
    assert reasons["nested_1000:kb_payload"] == ["malformed"]
    assert reasons["typ:legacy_vc"] == ["wrong_type"]


def test_a_deeply_nested_file_is_a_named_refusal_in_the_cli(offline: Path) -> None:
    run = _verify_offline(offline, "[" * 1000 + "]" * 1000)
    assert run.exit_code == 1
    assert isinstance(run.exception, SystemExit)
    assert [f["reason"] for f in json.loads(run.stdout)["failed_checks"]] == ["malformed"]
    deep = '{"issuers":' + "[" * 1000 + "]" * 1000 + "}"
    (offline / "deep.json").write_text(deep, encoding="utf-8")
    run = _verify_shown(offline, trust_list="deep.json")
    assert run.exit_code != 0
    assert isinstance(run.exception, SystemExit)
    assert "nests deeper than" in run.stderr


def test_nested_forgeries_parked_under_a_short_code_are_refused_not_crashed(
    client: TestClient, token_for: Any, forger: Forger
) -> None:
    accounts = _accounts(token_for)
    parked = 0
    for kind, presentation in forger.nesting():
        if not kind.startswith("nested_1000:"):
            continue  # one depth: the public route allows 20 codes a minute per address
        response = client.post("/api/v1/short-codes", json={"presentation": presentation})
        assert response.status_code in {201, 422}, (kind, response.text[:300])
        if response.status_code == 422:
            assert response.headers["content-type"].startswith("application/problem+json")
            continue
        parked += 1
        code = response.json()["code"]
        redeemed = client.post(
            f"/api/v1/short-codes/{code}/redeem",
            json={"audience": AUD, "nonce": NONCE},
            headers=next(accounts),
        )
        assert redeemed.status_code == 200, (kind, redeemed.text[:300])
        assert redeemed.json()["valid"] is False, kind
    assert parked  # the key binding is only read when verified: some are parked


def test_a_file_that_is_no_presentation_is_a_named_refusal_in_the_cli(offline: Path) -> None:
    (offline / "shown.txt").write_bytes(b"\xff\xfe not text")
    run = _verify_shown(offline)
    assert run.exit_code == 1
    assert isinstance(run.exception, SystemExit)
    assert "不是 UTF-8 文本" in run.stderr
    huge = _verify_offline(offline, "证" * 2_000_000)  # 6 MB: read only past the limit
    assert huge.exit_code == 1
    assert [f["reason"] for f in json.loads(huge.stdout)["failed_checks"]] == ["oversized"]
