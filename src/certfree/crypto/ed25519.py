"""Ed25519 (RFC 8032 §5.1) through pyca/cryptography; JWKs per RFC 8037 §2."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from certfree.crypto.algorithms import Alg, Jwk, check_jwk_alg, complete_jwk, jwk_coordinate
from certfree.crypto.encoding import b64url_encode
from certfree.errors import InvalidInput, SignatureInvalid

__all__ = ["Ed25519Signer", "Ed25519Verifier"]

KEY_SIZE = 32  # RFC 8032 §5.1.5: 32-byte seed, 32-byte encoded public point


class Ed25519Verifier:
    """An Ed25519 public key; implements ``Verifier``."""

    alg = Alg.EdDSA

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        self.public_key = public_key
        self._jwk = complete_jwk(
            {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(public_key.public_bytes_raw())},
            Alg.EdDSA,
        )
        self.kid = self._jwk["kid"]

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> Ed25519Verifier:
        """Read an OKP/Ed25519 JWK; InvalidInput names the faulty member."""
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise InvalidInput("an Ed25519 JWK needs kty OKP and crv Ed25519", field="crv")
        check_jwk_alg(jwk, Alg.EdDSA)
        x = jwk_coordinate(jwk, "x", KEY_SIZE)
        try:
            return cls(Ed25519PublicKey.from_public_bytes(x))
        except ValueError as exc:
            raise InvalidInput(f"JWK x is not an Ed25519 public key: {exc}", field="x") from exc

    def public_jwk(self) -> Jwk:
        return dict(self._jwk)

    def verify(self, data: bytes, signature: bytes) -> None:
        """RFC 8032 §5.1.7 verification; SignatureInvalid names the kid."""
        try:
            self.public_key.verify(signature, data)
        except InvalidSignature as exc:
            raise SignatureInvalid(f"EdDSA signature does not verify with key {self.kid}") from exc


class Ed25519Signer:
    """An Ed25519 private key; implements ``Signer``. Signatures are deterministic."""

    alg = Alg.EdDSA

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.verifier = Ed25519Verifier(private_key.public_key())
        self.kid = self.verifier.kid

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, seed: bytes) -> Ed25519Signer:
        """From the 32-byte seed of RFC 8032 §5.1.5."""
        if len(seed) != KEY_SIZE:
            raise InvalidInput(f"an Ed25519 private key is {KEY_SIZE} bytes, got {len(seed)}")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def private_bytes(self) -> bytes:
        """The 32-byte seed; only the key store calls this, to encrypt it."""
        return self._private_key.private_bytes_raw()

    def sign(self, data: bytes) -> bytes:
        return self._private_key.sign(data)

    def public_jwk(self) -> Jwk:
        return self.verifier.public_jwk()
