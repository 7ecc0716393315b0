"""The signature algorithms of the unified seal (统一签章) and the two interfaces over them."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from certfree.crypto.encoding import b64url_decode, jwk_thumbprint
from certfree.errors import InvalidInput

__all__ = [
    "SIGNATURE_SIZE",
    "Alg",
    "Jwk",
    "Signer",
    "Verifier",
    "check_jwk_alg",
    "complete_jwk",
    "jwk_coordinate",
]

# A public JWK as this package emits it: every member is a string (RFC 7517 §4).
Jwk = dict[str, str]


class Alg(enum.StrEnum):
    """JWS ``alg`` values (RFC 7518 §3.1, RFC 8037 §3.1); the value is what goes on the wire."""

    EdDSA = "EdDSA"  # Ed25519, RFC 8032 §5.1; the default
    ES256 = "ES256"  # ECDSA on P-256 with SHA-256, RFC 7518 §3.4
    SM2 = "SM2"  # SM2 with SM3, GB/T 32918.2 §6, default user ID 1234567812345678


# Every algorithm here signs with 64 bytes: Ed25519 R||S (RFC 8032 §5.1.6), and the raw r||s
# of ES256 (RFC 7518 §3.4) and SM2 (two 32-byte big-endian integers, as GM/T 0009 §7.3
# holds them, without the DER wrapping).
SIGNATURE_SIZE = 64


@runtime_checkable
class Signer(Protocol):
    """A private key that signs for one ``kid``; implementations never reveal the key."""

    @property
    def alg(self) -> Alg: ...

    @property
    def kid(self) -> str:
        """RFC 7638 thumbprint of the public key."""
        ...

    def sign(self, data: bytes) -> bytes:
        """The raw signature over ``data`` (SIGNATURE_SIZE bytes)."""
        ...

    def public_jwk(self) -> Jwk:
        """The public key as a JWK with ``kid``, ``alg`` and ``use: sig``."""
        ...


@runtime_checkable
class Verifier(Protocol):
    """A public key that checks signatures made by one ``kid``."""

    @property
    def alg(self) -> Alg: ...

    @property
    def kid(self) -> str: ...

    def verify(self, data: bytes, signature: bytes) -> None:
        """Return if ``signature`` over ``data`` is valid, else raise SignatureInvalid."""
        ...

    def public_jwk(self) -> Jwk: ...


def complete_jwk(members: Jwk, alg: Alg) -> Jwk:
    """``members`` (kty, crv, x[, y]) plus ``kid`` (RFC 7638), ``alg`` and ``use: sig``."""
    return {**members, "kid": jwk_thumbprint(members), "alg": alg.value, "use": "sig"}


def jwk_coordinate(jwk: Mapping[str, Any], name: str, size: int) -> bytes:
    """The base64url member ``name`` of ``jwk`` decoded to exactly ``size`` bytes.

    RFC 7518 §6.2.1.2 and RFC 8037 §2 fix the length; a shorter or longer value is refused
    with InvalidInput naming the member.
    """
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidInput(f"JWK member {name!r} must be a base64url string", field=name)
    data = b64url_decode(value)
    if len(data) != size:
        raise InvalidInput(
            f"JWK member {name!r} must encode {size} bytes, got {len(data)}", field=name
        )
    return data


def check_jwk_alg(jwk: Mapping[str, Any], alg: Alg) -> None:
    """Refuse a JWK whose optional ``alg`` (RFC 7517 §4.4) names another algorithm."""
    declared = jwk.get("alg")
    if declared is not None and declared != alg.value:
        raise InvalidInput(f"JWK alg {declared} does not fit a key of alg {alg}", field="alg")
