"""ECDH-ES against the examples of RFC 7520 §5.5 and RFC 8037 A.6 (tests/vectors/jwe_ecdh_es.json).

RFC 7520 §5.5 is the only published compact JWE with direct ECDH-ES key agreement; it uses
A128CBC-HS256, which certfree does not accept, so the library certfree.crypto.jwe rests on
(joserfc) decrypts it with the key certfree loads, the Concat KDF of RFC 7518 §4.6.2 gives its
CEK, and certfree.crypto.jwe itself refuses it for its enc.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from joserfc import jwe as joserfc_jwe
from joserfc.jwk import ECKey

from certfree.crypto import DecryptionFailed, EncryptionKey, b64url_decode, decrypt_jwe

VECTORS = json.loads(
    (Path(__file__).parents[2] / "vectors" / "jwe_ecdh_es.json").read_text(encoding="utf-8")
)


@pytest.fixture
def rfc7520() -> dict[str, Any]:
    vector: dict[str, Any] = VECTORS["rfc7520_5_5"]
    return vector


def test_rfc7520_recipient_key_loads_to_the_published_point(rfc7520: dict[str, Any]) -> None:
    key = EncryptionKey("P-256", b64url_decode(rfc7520["key"]["d"]))
    public = key.public_jwk()
    assert (public["x"], public["y"]) == (rfc7520["key"]["x"], rfc7520["key"]["y"])


def test_rfc7520_concat_kdf_gives_the_published_cek(rfc7520: dict[str, Any]) -> None:
    def scalar(jwk: dict[str, str]) -> ec.EllipticCurvePrivateKey:
        return ec.derive_private_key(int.from_bytes(b64url_decode(jwk["d"]), "big"), ec.SECP256R1())

    z = scalar(rfc7520["epk"]).exchange(ec.ECDH(), scalar(rfc7520["key"]).public_key())
    enc = rfc7520["enc"].encode()
    # RFC 7518 §4.6.2: AlgorithmID = enc (direct agreement), empty PartyU/VInfo, keydatalen.
    other = len(enc).to_bytes(4, "big") + enc + bytes(8) + (256).to_bytes(4, "big")
    cek = ConcatKDFHash(hashes.SHA256(), 32, other).derive(z)
    assert cek == b64url_decode(rfc7520["cek"])


def test_rfc7520_compact_jwe_decrypts_with_the_loaded_key(rfc7520: dict[str, Any]) -> None:
    key = EncryptionKey("P-256", b64url_decode(rfc7520["key"]["d"]))
    private = ECKey.import_key({**key.public_jwk(), "d": rfc7520["key"]["d"]})
    opened = joserfc_jwe.decrypt_compact(
        rfc7520["compact"], private, algorithms=[rfc7520["alg"], rfc7520["enc"]]
    )
    assert opened.plaintext == rfc7520["plaintext"].encode()
    assert opened.protected["epk"]["x"] == rfc7520["epk"]["x"]


def test_certfree_refuses_the_rfc7520_token_for_its_enc(rfc7520: dict[str, Any]) -> None:
    key = EncryptionKey("P-256", b64url_decode(rfc7520["key"]["d"]))
    with pytest.raises(DecryptionFailed, match="A128CBC-HS256'; only ECDH-ES/A256GCM"):
        decrypt_jwe(rfc7520["compact"], key)


def test_rfc8037_x25519_key_agreement() -> None:
    vector = VECTORS["rfc8037_a6"]
    bob = EncryptionKey("X25519", bytes.fromhex(vector["recipient_private_hex"]))
    assert bob.public_jwk()["x"] == vector["recipient"]["x"]
    ephemeral = X25519PrivateKey.from_private_bytes(bytes.fromhex(vector["ephemeral_private_hex"]))
    assert (
        EncryptionKey("X25519", ephemeral.private_bytes_raw()).public_jwk()["x"]
        == (vector["epk"]["x"])
    )
    recipient = X25519PrivateKey.from_private_bytes(bob.private_bytes()).public_key()
    assert ephemeral.exchange(recipient).hex() == vector["z_hex"]
