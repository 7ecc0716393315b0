"""``certfree wallet``: what a holder types and sees."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certfree.cli.wallet import app
from certfree.crypto import parse_sd_jwt, verify
from certfree.wallet import HolderKey

ReadQr = Callable[[bytes], list[str]]


@pytest.fixture
def wallet_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CERTFREE_WALLET", str(tmp_path / "wallet"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "wallet"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_keygen_writes_0600_and_prints_the_matching_public_jwk(wallet_dir: Path) -> None:
    code, out, err = run("keygen", "--out", "holder.jwk")

    assert code == 0, err
    path = Path("holder.jwk")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = json.loads(out)
    assert (public["kty"], public["crv"], public["alg"]) == ("EC", "P-256", "ES256")
    assert "d" not in public
    signature = HolderKey.load(path).signer().sign(b"challenge")
    verify(public, b"challenge", signature)
    assert "0600" in err


def test_keygen_refuses_to_overwrite_and_knows_its_algorithms(wallet_dir: Path) -> None:
    assert run("keygen")[0] == 0  # default place: <wallet>/key.jwk
    assert (wallet_dir / "key.jwk").is_file()
    code, _, err = run("keygen")
    assert code == 1
    assert "已存在" in err
    code, _, err = run("keygen", "--out", "x.jwk", "--alg", "RS256")
    assert code == 1
    assert "不支持的算法" in err
    code, out, _ = run("keygen", "--out", "ed.jwk", "--alg", "EdDSA")
    assert code == 0
    assert json.loads(out)["crv"] == "Ed25519"


def test_keygen_with_passphrase_from_environment(
    wallet_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run("keygen", "--out", "k.jwk", "--passphrase-env", "HOLDER_PIN")
    assert code == 1
    assert "HOLDER_PIN 未设置" in err
    monkeypatch.setenv("HOLDER_PIN", "246810")
    code, out, err = run("keygen", "--out", "k.jwk", "--passphrase-env", "HOLDER_PIN")
    assert code == 0, err
    assert "口令加密" in err
    assert HolderKey.load(Path("k.jwk"), "246810").public_jwk() == json.loads(out)


def test_add_list_present_with_qr(
    wallet_dir: Path, issue: Callable[..., str], face: dict[str, object], read_qr: ReadQr
) -> None:
    _, out, _ = run("keygen")
    Path("cred.txt").write_text(issue(json.loads(out)), encoding="ascii")

    code, out, err = run("add", "cred.txt")
    assert code == 0, err
    assert out.startswith("已加入卡包：")
    code, out, _ = run("list", "--json")
    (listed,) = json.loads(out)
    assert listed["disclosable"] == list(face)
    code, out, _ = run("list")
    assert "11100000000000000001A" in out
    assert "age_over_60" in out

    code, out, err = run(
        "present", listed["identifier"], "--disclose", "age_over_60",
        "--audience", "https://gate.example", "--nonce", "n1", "--qr", "show.png",
    )  # fmt: skip
    assert code == 0, err
    shown = out.strip()
    assert [d.name for d in parse_sd_jwt(shown).disclosures] == ["age_over_60"]
    assert read_qr(Path("show.png").read_bytes()) == [shown]
    assert "纠错等级 L" in err
    assert "模块" in err


def test_add_refuses_a_credential_of_another_key(
    wallet_dir: Path, issue: Callable[..., str]
) -> None:
    run("keygen")
    Path("cred.txt").write_text(issue(HolderKey.generate().public_jwk()), encoding="ascii")
    code, _, err = run("add", "cred.txt")
    assert code == 1
    assert "不是本卡包的密钥" in err
    assert json.loads(run("list", "--json")[1]) == []


def test_present_refuses_an_undisclosable_claim(
    wallet_dir: Path, issue: Callable[..., str]
) -> None:
    _, out, _ = run("keygen")
    Path("cred.txt").write_text(issue(json.loads(out)), encoding="ascii")
    code, out, err = run(
        "present", "cred.txt", "--disclose", "name,blood_type",
        "--audience", "A", "--nonce", "N",
    )  # fmt: skip
    assert code == 1
    assert out == ""
    assert "该证照不能披露 blood_type" in err
    assert "可披露的有：name、birth_date" in err


def test_present_refuses_an_oversized_qr_but_names_the_limit(
    wallet_dir: Path, issue: Callable[..., str]
) -> None:
    _, out, _ = run("keygen")
    Path("cred.txt").write_text(issue(json.loads(out)), encoding="ascii")
    code, out, err = run(
        "present", "cred.txt", "--disclose", "name", "--audience", "A", "--nonce", "N",
        "--qr", "show.svg", "--max-version", "10",
    )  # fmt: skip
    assert code == 1
    assert "超过上限版本 10" in err
    assert not Path("show.svg").exists()


def test_list_of_an_empty_wallet_says_how_to_fill_it(wallet_dir: Path) -> None:
    code, out, _ = run("list")
    assert code == 0
    assert "wallet add" in out
