"""The holder key: made, saved 0600, read back, and its public JWK is the one it signs for."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from certfree.crypto import Alg, verify
from certfree.errors import SignatureInvalid
from certfree.wallet import HolderKey, HolderKeyInvalid, read_public_jwk


@pytest.mark.parametrize("alg", [Alg.ES256, Alg.EdDSA])
def test_saved_key_is_private_and_signs_for_its_public_jwk(tmp_path: Path, alg: Alg) -> None:
    path = tmp_path / "holder.jwk"
    HolderKey.generate(alg).save(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text(encoding="utf-8"))
    assert "d" in document  # a plain private JWK, as WebCrypto importKey("jwk") reads it
    key = HolderKey.load(path)
    public = read_public_jwk(path)
    assert "d" not in public
    assert public == key.public_jwk()
    signature = key.signer().sign(b"nonce-123")
    verify(public, b"nonce-123", signature)
    with pytest.raises(SignatureInvalid):
        verify(HolderKey.generate(alg).public_jwk(), b"nonce-123", signature)


def test_default_is_es256_p256() -> None:
    jwk = HolderKey.generate().public_jwk()
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("EC", "P-256", "ES256")


def test_passphrase_seals_the_key_but_not_the_public_part(tmp_path: Path) -> None:
    path = tmp_path / "sealed.jwk"
    key = HolderKey.generate()
    key.save(path, passphrase="correct horse")

    text = path.read_text(encoding="utf-8")
    assert key.private_jwk()["d"] not in text
    assert read_public_jwk(path) == key.public_jwk()  # wallet add needs no passphrase
    assert HolderKey.load(path, "correct horse").kid == key.kid
    with pytest.raises(HolderKeyInvalid, match="已加密"):
        HolderKey.load(path)
    with pytest.raises(HolderKeyInvalid, match="口令无法打开"):
        HolderKey.load(path, "wrong horse")


def test_public_jwk_is_not_a_private_key(tmp_path: Path) -> None:
    path = tmp_path / "public.jwk"
    path.write_text(json.dumps(HolderKey.generate().public_jwk()), encoding="utf-8")
    with pytest.raises(HolderKeyInvalid, match="没有私钥成员 d"):
        HolderKey.load(path)


def test_private_part_of_another_key_is_refused() -> None:
    jwk = HolderKey.generate().private_jwk()
    jwk["d"] = HolderKey.generate().private_jwk()["d"]
    with pytest.raises(HolderKeyInvalid, match="不匹配"):
        HolderKey.from_jwk(jwk)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(HolderKeyInvalid, match="不存在"):
        HolderKey.load(tmp_path / "nowhere.jwk")
