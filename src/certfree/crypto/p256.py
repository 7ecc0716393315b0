"""ES256: ECDSA on P-256 with SHA-256 (RFC 7518 §3.4) through pyca/cryptography.

JWS carries the signature as raw ``r || s`` (two 32-byte big-endian integers), not the DER
SEQUENCE that cryptography produces; ``encoding.raw_to_der``/``der_to_raw`` convert.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from certfree.crypto.algorithms import Alg, Jwk, check_jwk_alg, complete_jwk, jwk_coordinate
from certfree.crypto.encoding import b64url_encode, der_to_raw, raw_to_der
from certfree.errors import InvalidInput, SignatureInvalid

__all__ = ["ES256Signer", "ES256Verifier"]

COORDINATE_SIZE = 32  # RFC 7518 §6.2.1.2: x and y are the full 32 bytes for P-256
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


class ES256Verifier:
    """A P-256 public key; implements ``Verifier``."""

    alg = Alg.ES256

    def __init__(self, public_key: ec.EllipticCurvePublicKey) -> None:
        if not isinstance(public_key.curve, ec.SECP256R1):
            raise InvalidInput(f"ES256 needs a P-256 key, got curve {public_key.curve.name}")
        self.public_key = public_key
        numbers = public_key.public_numbers()
        self._jwk = complete_jwk(
            {
                "kty": "EC",
                "crv": "P-256",
                "x": b64url_encode(numbers.x.to_bytes(COORDINATE_SIZE, "big")),
                "y": b64url_encode(numbers.y.to_bytes(COORDINATE_SIZE, "big")),
            },
            Alg.ES256,
        )
        self.kid = self._jwk["kid"]

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> ES256Verifier:
        """Read an EC/P-256 JWK; InvalidInput names the faulty member (off-curve points too)."""
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
            raise InvalidInput("a P-256 JWK needs kty EC and crv P-256", field="crv")
        check_jwk_alg(jwk, Alg.ES256)
        x = int.from_bytes(jwk_coordinate(jwk, "x", COORDINATE_SIZE), "big")
        y = int.from_bytes(jwk_coordinate(jwk, "y", COORDINATE_SIZE), "big")
        try:
            public_key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        except ValueError as exc:
            raise InvalidInput(f"JWK x, y is not a point on P-256: {exc}", field="x") from exc
        return cls(public_key)

    def public_jwk(self) -> Jwk:
        return dict(self._jwk)

    def verify(self, data: bytes, signature: bytes) -> None:
        """ECDSA verification of SHA-256(data) against raw ``r || s``."""
        try:
            self.public_key.verify(raw_to_der(signature), data, _ECDSA_SHA256)
        except InvalidSignature as exc:
            raise SignatureInvalid(f"ES256 signature does not verify with key {self.kid}") from exc


class ES256Signer:
    """A P-256 private key; implements ``Signer`` (randomised ECDSA, so no two alike)."""

    alg = Alg.ES256

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        self._private_key = private_key
        self.verifier = ES256Verifier(private_key.public_key())
        self.kid = self.verifier.kid

    @classmethod
    def generate(cls) -> ES256Signer:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_private_bytes(cls, scalar: bytes) -> ES256Signer:
        """From the 32-byte big-endian private scalar (SEC 1 §2.3.7)."""
        if len(scalar) != COORDINATE_SIZE:
            raise InvalidInput(f"a P-256 private key is 32 bytes, got {len(scalar)}")
        value = int.from_bytes(scalar, "big")
        try:
            return cls(ec.derive_private_key(value, ec.SECP256R1()))
        except ValueError as exc:
            raise InvalidInput(f"not a P-256 private scalar: {exc}") from exc

    def private_bytes(self) -> bytes:
        """The 32-byte private scalar; only the key store calls this, to encrypt it."""
        value = self._private_key.private_numbers().private_value
        return value.to_bytes(COORDINATE_SIZE, "big")

    def sign(self, data: bytes) -> bytes:
        return der_to_raw(self._private_key.sign(data, _ECDSA_SHA256))

    def public_jwk(self) -> Jwk:
        return self.verifier.public_jwk()
