"""Compact JWE (ECDH-ES + A256GCM) and the encryption keys kept beside the signing keys."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from certfree.crypto import (
    DecryptionFailed,
    EncryptionKey,
    KeyStore,
    b64url_decode,
    b64url_encode,
    decrypt_jwe,
    encrypt_jwe,
    is_encryption_jwk,
)
from certfree.errors import Conflict, CryptoError, InvalidInput, KeyNotFound

BODY = json.dumps({"result": {"married": True}, "subject": "370102199003070029"}).encode()
PASSPHRASE = "correct horse battery staple"
SCRYPT_N = 2**10  # the tests' cost; production seals at 2^15


@pytest.fixture(params=["X25519", "P-256"])
def key(request: pytest.FixtureRequest) -> EncryptionKey:
    return EncryptionKey.generate(request.param)


def _header(token: str) -> dict[str, object]:
    header = json.loads(b64url_decode(token.split(".", maxsplit=1)[0]))
    assert isinstance(header, dict)
    return header


def test_round_trip(key: EncryptionKey) -> None:
    token = encrypt_jwe(BODY, key.public_jwk())
    assert decrypt_jwe(token, key) == BODY
    assert b"370102199003070029" not in token.encode()
    assert "370102199003070029" not in b64url_decode(token.split(".")[3]).decode("latin-1")


def test_header_names_alg_enc_kid_and_the_ephemeral_key(key: EncryptionKey) -> None:
    token = encrypt_jwe(BODY, key.public_jwk(), "recipient-kid")
    header = _header(token)
    assert (header["alg"], header["enc"], header["kid"]) == ("ECDH-ES", "A256GCM", "recipient-kid")
    epk = header["epk"]
    assert isinstance(epk, dict)
    assert epk["crv"] == key.crv
    assert "d" not in epk
    assert token.split(".")[1] == ""  # RFC 7518 §4.6: direct key agreement, no encrypted key
    # Without a kid the header names the key's RFC 7638 thumbprint.
    assert _header(encrypt_jwe(BODY, key.public_jwk()))["kid"] == key.kid


def test_public_jwk_says_use_enc(key: EncryptionKey) -> None:
    jwk = key.public_jwk()
    assert jwk["use"] == "enc"
    assert jwk["alg"] == "ECDH-ES"
    assert "d" not in jwk
    assert is_encryption_jwk(jwk)


def test_each_token_has_a_fresh_ephemeral_key(key: EncryptionKey) -> None:
    first, second = (encrypt_jwe(BODY, key.public_jwk()) for _ in range(2))
    assert first != second
    assert _header(first)["epk"] != _header(second)["epk"]


def test_wrong_key_is_refused(key: EncryptionKey) -> None:
    other = EncryptionKey.generate(key.crv)
    token = encrypt_jwe(BODY, key.public_jwk())
    with pytest.raises(DecryptionFailed, match=f"for key {key.kid}, not for key {other.kid}"):
        decrypt_jwe(token, other)
    # Even when the header is made to name the other key, the tag does not verify.
    forged = encrypt_jwe(BODY, key.public_jwk(), other.kid)
    with pytest.raises(DecryptionFailed, match="does not decrypt"):
        decrypt_jwe(forged, other)


@pytest.mark.parametrize("part", [2, 3, 4], ids=["iv", "ciphertext", "tag"])
def test_tampered_token_is_refused_with_a_clear_error(key: EncryptionKey, part: int) -> None:
    parts = encrypt_jwe(BODY, key.public_jwk()).split(".")
    raw = bytearray(b64url_decode(parts[part]))
    raw[0] ^= 1
    parts[part] = b64url_encode(bytes(raw))
    with pytest.raises(DecryptionFailed) as caught:
        decrypt_jwe(".".join(parts), key)
    assert "ciphertext, tag or header was altered" in str(caught.value)
    assert isinstance(caught.value, CryptoError)
    assert caught.value.status == 422


def test_altered_header_is_refused(key: EncryptionKey) -> None:
    parts = encrypt_jwe(BODY, key.public_jwk()).split(".")
    header = _header(".".join(parts))
    header["zip"] = "none"  # still parses, but the header is the GCM AAD
    parts[0] = b64url_encode(json.dumps(header).encode())
    with pytest.raises(DecryptionFailed, match="altered"):
        decrypt_jwe(".".join(parts), key)


def test_other_algorithms_and_shapes_are_refused(key: EncryptionKey) -> None:
    parts = encrypt_jwe(BODY, key.public_jwk()).split(".")
    for alg, enc in (
        ("ECDH-ES+A128KW", "A256GCM"),
        ("ECDH-ES", "A128CBC-HS256"),
        ("dir", "A256GCM"),
    ):
        header = {**_header(".".join(parts)), "alg": alg, "enc": enc}
        forged = ".".join([b64url_encode(json.dumps(header).encode()), *parts[1:]])
        with pytest.raises(DecryptionFailed, match="only ECDH-ES/A256GCM is accepted"):
            decrypt_jwe(forged, key)
    with pytest.raises(DecryptionFailed, match="5 parts, got 3"):
        decrypt_jwe("a.b.c", key)


def test_recipient_must_be_a_usable_public_key() -> None:
    with pytest.raises(InvalidInput, match="OKP/X25519 or EC/P-256"):
        encrypt_jwe(BODY, {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(bytes(32))})
    with pytest.raises(InvalidInput, match="'x' must encode 32 bytes"):
        encrypt_jwe(BODY, {"kty": "OKP", "crv": "X25519", "x": b64url_encode(bytes(31))})


def test_key_store_keeps_encryption_keys_sealed_beside_signing_keys(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", PASSPHRASE, scrypt_n=SCRYPT_N)
    store.create("node")
    info = store.encryption.create("node")
    # Signing-key listings never meet it; the published JWK Set carries both, use says which.
    assert [k.kid for k in store.keys("node")] != [info.kid]
    assert info.kid not in {k["kid"] for k in store.jwks("node")["keys"]}
    published = store.published_jwks("node")["keys"]
    assert [k["use"] for k in published] == ["sig", "enc"]
    assert published[1] == info.public_jwk
    # At rest: 0600 and sealed, no private bytes in the clear.
    key_file = tmp_path / "keys" / "enc" / f"{info.kid}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    private = store.encryption.key(info.kid).private_bytes()
    assert b64url_encode(private) not in key_file.read_text()
    # Another process (a new store) opens it with the passphrase and decrypts.
    token = encrypt_jwe(BODY, info.public_jwk)
    again = KeyStore(tmp_path / "keys", PASSPHRASE, scrypt_n=SCRYPT_N)
    assert again.encryption.decrypt(token) == BODY
    with pytest.raises(Conflict, match="already has encryption key"):
        store.encryption.create("node")
    assert store.encryption.ensure("node") == info


def test_rotated_encryption_key_still_opens_what_was_sent_to_it(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", PASSPHRASE, scrypt_n=SCRYPT_N)
    old = store.encryption.ensure("node")
    token = encrypt_jwe(BODY, old.public_jwk)
    new = store.encryption.rotate("node")
    assert store.encryption.active("node").kid == new.kid != old.kid
    assert [k.status for k in store.encryption.keys("node")] == ["retired", "active"]
    assert store.encryption.decrypt(token) == BODY


def test_unknown_kid_and_missing_key_say_what_to_do(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", PASSPHRASE, scrypt_n=SCRYPT_N)
    with pytest.raises(KeyNotFound, match="create-encryption --owner node"):
        store.encryption.active("node")
    token = encrypt_jwe(BODY, EncryptionKey.generate().public_jwk())
    with pytest.raises(KeyNotFound, match="no encryption key"):
        store.encryption.decrypt(token)
