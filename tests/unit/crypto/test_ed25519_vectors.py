"""RFC 8032 §7.1 Ed25519 TEST 1-3 from tests/vectors/ed25519_vectors.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from certfree.crypto import b64url_encode, verify
from certfree.crypto.ed25519 import Ed25519Signer
from certfree.errors import SignatureInvalid

VECTORS = json.loads(
    (Path(__file__).parents[2] / "vectors" / "ed25519_vectors.json").read_text(encoding="utf-8")
)["vectors"]


def _case(vector: dict[str, Any]) -> tuple[Ed25519Signer, bytes, bytes]:
    signer = Ed25519Signer.from_private_bytes(bytes.fromhex(vector["secret_key"]))
    return signer, bytes.fromhex(vector["message_hex"]), bytes.fromhex(vector["signature"])


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_sign_reproduces_published_signature(vector: dict[str, Any]) -> None:
    signer, message, signature = _case(vector)
    assert signer.public_jwk()["x"] == b64url_encode(bytes.fromhex(vector["public_key"]))
    assert signer.sign(message) == signature


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_published_signature_verifies_with_public_jwk(vector: dict[str, Any]) -> None:
    signer, message, signature = _case(vector)
    verify(signer.public_jwk(), message, signature)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
@pytest.mark.parametrize("bit", [0, 255, 511])
def test_a_flipped_signature_bit_fails(vector: dict[str, Any], bit: int) -> None:
    signer, message, signature = _case(vector)
    flipped = bytearray(signature)
    flipped[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(
        SignatureInvalid, match=f"EdDSA signature does not verify with key {signer.kid}"
    ):
        verify(signer.public_jwk(), message, bytes(flipped))


def test_rfc8037_thumbprint_of_test_1_key() -> None:
    """RFC 8037 Appendix A.3: the thumbprint of the RFC 8032 TEST 1 public key."""
    signer, _, _ = _case(VECTORS[0])
    assert signer.kid == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
