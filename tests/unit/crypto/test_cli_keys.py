"""``certfree keys``: what an operator types and sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certfree.cli.keys import app
from certfree.crypto import KeyStatus, KeyStore

PASSPHRASE = "cli-test-passphrase"


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CERTFREE_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("CERTFREE_KEY_PASSPHRASE", PASSPHRASE)
    return tmp_path / "keys"


def run(*args: str, lang: str = "zh-CN") -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"CERTFREE_LANG": lang})
    return result.exit_code, result.stdout, result.stderr


def test_create_list_rotate_jwks(key_dir: Path) -> None:
    code, out, _ = run("create", "--owner", "node", "--alg", "SM2")
    assert code == 0
    assert out.startswith("已为 node 创建 SM2 密钥 ")
    first = out.split()[-1]

    code, out, _ = run("rotate", "--owner", "node")
    assert code == 0
    assert out.startswith("已把 node 换为 SM2 密钥 ")
    code, out, _ = run("rotate", "--owner", "node", lang="en")
    assert code == 0
    assert out.startswith("rotated node to SM2 key ")

    code, out, _ = run("list")
    assert code == 0
    assert "密钥标识" in out
    assert first in out
    code, out, _ = run("list", lang="en")
    assert code == 0
    assert "kid" in out
    assert first in out
    assert KeyStatus.RETIRED.value in out
    assert KeyStatus.ACTIVE.value in out

    code, out, _ = run("jwks")
    assert code == 0
    kids = [key["kid"] for key in json.loads(out)["keys"]]
    assert kids == [info.kid for info in KeyStore(key_dir, PASSPHRASE).keys(owner=None)]
    assert first in kids


def test_created_key_in_english(key_dir: Path) -> None:
    code, out, _ = run("create", "--owner", "node", "--alg", "SM2", lang="en")
    assert code == 0
    assert out.startswith("created SM2 key ")
    assert out.split()[3] == KeyStore(key_dir, PASSPHRASE).keys(owner="node")[0].kid


def test_second_create_fails_in_red_with_the_fix(key_dir: Path) -> None:
    assert run("create")[0] == 0
    code, _, err = run("create")
    assert code == 1
    assert "错误：" in err
    assert "certfree keys rotate --owner node" in err
    code, _, err = run("create", lang="en")
    assert code == 1
    assert "error:" in err
    assert "certfree keys rotate --owner node" in err


def test_wrong_passphrase_exits_1_and_names_the_variable(
    key_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("create", "--owner", "node")[0] == 0
    monkeypatch.setenv("CERTFREE_KEY_PASSPHRASE", "wrong")
    code, _, err = run("rotate", "--owner", "node")
    assert code == 1
    assert "the passphrase (CERTFREE_KEY_PASSPHRASE) does not open key" in err
    assert len(KeyStore(key_dir, PASSPHRASE).keys()) == 1  # nothing sealed with "wrong"


def test_unknown_alg_is_a_usage_error(key_dir: Path) -> None:
    code, _, err = run("create", "--alg", "RS256")
    assert code == 2
    assert "'RS256' 不是 EdDSA, ES256, SM2 之一" in err
    code, _, err = run("create", "--alg", "RS256", lang="en")
    assert code == 2
    assert "'RS256' is not one of EdDSA, ES256, SM2" in err


def test_node_key_comes_with_an_encryption_key_in_the_registration_jwks(key_dir: Path) -> None:
    code, out, err = run("create", lang="en")
    assert code == 0
    signing = out.split()[3]
    assert err.startswith("created encryption key ")
    assert "X25519" in err
    store = KeyStore(key_dir, PASSPHRASE)
    enc = store.encryption.active("node").kid
    assert enc in err
    # The seal's JWK Set is unchanged; the registration JWK Set adds the encryption key.
    code, out, _ = run("jwks")
    assert [key["kid"] for key in json.loads(out)["keys"]] == [signing]
    code, out, _ = run("jwks", "--with-encryption")
    keys = json.loads(out)["keys"]
    assert [(key["kid"], key["use"]) for key in keys] == [(signing, "sig"), (enc, "enc")]
    assert all("d" not in key for key in keys)
    code, _, err = run("create-encryption", lang="en")
    assert code == 1
    assert "already has encryption key" in err
    code, out, _ = run("rotate-encryption", lang="en")
    assert code == 0
    assert store.encryption.active("node").kid in out
