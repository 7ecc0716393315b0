"""One door to the three algorithms: make, load and read keys, and check a signature."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from certfree.crypto.algorithms import Alg, Signer, Verifier
from certfree.crypto.ed25519 import Ed25519Signer, Ed25519Verifier
from certfree.crypto.p256 import ES256Signer, ES256Verifier
from certfree.crypto.sm2 import SM2Signer, SM2Verifier
from certfree.errors import InvalidInput, SignatureInvalid

__all__ = [
    "KeyLike",
    "PrivateSigner",
    "generate_signer",
    "load_signer",
    "verifier_for",
    "verifier_from_jwk",
    "verify",
]

# What ``verify`` and ``verify_jws`` accept as "the key": a JWK, one of our verifiers, or a
# pyca/cryptography public key (Ed25519, or EC on P-256).
KeyLike = Mapping[str, Any] | Verifier | Ed25519PublicKey | ec.EllipticCurvePublicKey


class PrivateSigner(Signer, Protocol):
    """A Signer whose private key the key store may read, to encrypt it at rest."""

    @property
    def verifier(self) -> Verifier: ...

    def private_bytes(self) -> bytes: ...


def parse_alg(value: object) -> Alg:
    """The Alg named by ``value``; InvalidInput lists the accepted names otherwise."""
    try:
        return Alg(str(value))
    except ValueError:
        known = ", ".join(a.value for a in Alg)
        raise InvalidInput(f"unsupported alg {value!r}; expected one of {known}") from None


def generate_signer(alg: Alg = Alg.EdDSA) -> PrivateSigner:
    """A new random private key for ``alg``."""
    match alg:
        case Alg.EdDSA:
            return Ed25519Signer.generate()
        case Alg.ES256:
            return ES256Signer.generate()
        case Alg.SM2:
            return SM2Signer.generate()


def load_signer(alg: Alg, private: bytes, public_jwk: Mapping[str, Any]) -> PrivateSigner:
    """Rebuild a signer from its 32 private bytes; InvalidInput if they do not match the JWK."""
    signer: PrivateSigner
    match alg:
        case Alg.EdDSA:
            signer = Ed25519Signer.from_private_bytes(private)
        case Alg.ES256:
            signer = ES256Signer.from_private_bytes(private)
        case Alg.SM2:
            signer = SM2Signer.from_private_bytes(private, public_jwk)
    if signer.kid != public_jwk.get("kid"):
        raise InvalidInput(f"private key of alg {alg} does not match key {public_jwk.get('kid')}")
    return signer


def verifier_from_jwk(jwk: Mapping[str, Any]) -> Verifier:
    """A verifier for a public JWK (OKP/Ed25519, EC/P-256, EC/SM2).

    Raises InvalidInput naming the member at fault, or the key type that is not supported.
    """
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        return Ed25519Verifier.from_jwk(jwk)
    if kty == "EC" and crv == "P-256":
        return ES256Verifier.from_jwk(jwk)
    if kty == "EC" and crv == "SM2":
        return SM2Verifier.from_jwk(jwk)
    raise InvalidInput(
        f"unsupported JWK kty {kty!r} crv {crv!r}; expected OKP/Ed25519, EC/P-256 or EC/SM2",
        field="crv",
    )


def verifier_for(key: KeyLike) -> Verifier:
    """Normalise any KeyLike to a Verifier; InvalidInput if it is none of them."""
    if isinstance(key, Ed25519Verifier | ES256Verifier | SM2Verifier):
        return key  # the usual case; a runtime Protocol check below costs ~26 µs per call
    if isinstance(key, Ed25519PublicKey):
        return Ed25519Verifier(key)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return ES256Verifier(key)
    if isinstance(key, Mapping):
        return verifier_from_jwk(key)
    if isinstance(key, Verifier):
        return key
    raise InvalidInput(f"cannot verify with a {type(key).__name__}; pass a JWK or public key")


def verify(key: KeyLike, data: bytes, signature: bytes) -> None:
    """Return if ``signature`` is a valid signature of ``data`` by ``key``.

    Raises SignatureInvalid saying why: the signature does not verify, or the key cannot be
    used (malformed JWK, unsupported curve, or a JWK ``alg`` that contradicts its curve).
    """
    try:
        verifier = verifier_for(key)
    except InvalidInput as exc:
        raise SignatureInvalid(f"unusable verification key: {exc}") from exc
    verifier.verify(data, signature)
