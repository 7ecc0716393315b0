"""Compact JWE (RFC 7516 §7.1) for one recipient: ECDH-ES + A256GCM, over joserfc.

``alg`` ECDH-ES is direct key agreement (RFC 7518 §4.6): a fresh ephemeral key per token
(header ``epk``), the Concat KDF over the shared secret gives the A256GCM content key
(RFC 7518 §5.3), and the JWE Encrypted Key is empty. Keys are X25519 (RFC 8037 §3.2, the
default) or P-256. The protected header names ``alg``, ``enc`` and the recipient's ``kid``
(its RFC 7638 thumbprint), and is the GCM additional authenticated data (RFC 7516 §5.1
step 14), so a changed header fails like a changed ciphertext.

joserfc is the library (``bench/jwe.py``: about twice jwcrypto's rate on both curves); this
module pins the algorithms, checks the header before decrypting and turns the library's
errors into :class:`DecryptionFailed` saying what to check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jwe as _jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey

from certfree.crypto.algorithms import Jwk, jwk_coordinate
from certfree.crypto.encoding import b64url_decode, b64url_encode, jwk_thumbprint
from certfree.errors import CryptoError, InvalidInput
from certfree.safejson import loads_untrusted

__all__ = [
    "ALG",
    "CURVES",
    "ENC",
    "DecryptionFailed",
    "EncryptionKey",
    "decrypt",
    "encrypt",
    "encryption_jwk",
    "generate_encryption_key",
    "is_encryption_jwk",
    "jwe_header",
]

ALG, ENC = "ECDH-ES", "A256GCM"
CURVES = ("X25519", "P-256")
_ALGORITHMS = (ALG, ENC)  # what joserfc may accept: nothing else, whatever a header says
_PublicKey = OKPKey | ECKey


class DecryptionFailed(CryptoError):
    """A JWE that is not ours to open, or whose ciphertext, tag or header was altered."""

    slug = "decryption-failed"
    title = "Encrypted content cannot be opened"
    title_zh = "密文无法解密"


def _public_members(crv: str, x: bytes, y: bytes | None = None) -> Jwk:
    if crv == "X25519":
        return {"crv": crv, "kty": "OKP", "x": b64url_encode(x)}
    assert y is not None
    return {"crv": crv, "kty": "EC", "x": b64url_encode(x), "y": b64url_encode(y)}


def _complete(members: Jwk) -> Jwk:
    """``members`` plus ``kid`` (RFC 7638), ``alg`` ECDH-ES and ``use: enc`` (RFC 7517 §4.2)."""
    return {**members, "kid": jwk_thumbprint(members), "alg": ALG, "use": "enc"}


class EncryptionKey:
    """A private key-agreement key (X25519 or P-256) that opens JWEs made for its ``kid``."""

    def __init__(self, crv: str, private: bytes) -> None:
        if crv == "X25519":
            if len(private) != 32:
                raise InvalidInput(f"an X25519 private key has 32 bytes, got {len(private)}")
            x = X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()
            members = _public_members(crv, x)
        elif crv == "P-256":
            scalar = int.from_bytes(private, "big")
            try:
                point = ec.derive_private_key(scalar, ec.SECP256R1()).public_key()
            except ValueError as exc:
                raise InvalidInput(f"not a P-256 private scalar: {exc}") from exc
            raw = point.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
            members = _public_members(crv, raw[1:33], raw[33:])
        else:
            raise InvalidInput(f"unsupported curve {crv!r}; expected one of {', '.join(CURVES)}")
        self.crv = crv
        self._private = private
        self._public = _complete(members)
        self._key: _PublicKey = _import({**members, "d": b64url_encode(private)})

    @classmethod
    def generate(cls, crv: str = "X25519") -> EncryptionKey:
        if crv == "X25519":
            return cls(crv, X25519PrivateKey.generate().private_bytes_raw())
        if crv == "P-256":
            scalar = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
            return cls(crv, scalar.to_bytes(32, "big"))
        raise InvalidInput(f"unsupported curve {crv!r}; expected one of {', '.join(CURVES)}")

    @property
    def kid(self) -> str:
        return self._public["kid"]

    def public_jwk(self) -> Jwk:
        """The public key with ``kid``, ``alg: ECDH-ES`` and ``use: enc``."""
        return dict(self._public)

    def private_bytes(self) -> bytes:
        """The 32 private bytes (X25519 scalar, RFC 7748 §5; P-256 big-endian scalar)."""
        return self._private

    def decrypt(self, token: str) -> bytes:
        """:func:`decrypt` with this key."""
        return decrypt(token, self)


def generate_encryption_key(crv: str = "X25519") -> EncryptionKey:
    """A new random key-agreement key on ``crv`` (X25519 by default)."""
    return EncryptionKey.generate(crv)


def _import(members: Mapping[str, str]) -> _PublicKey:
    if members.get("kty") == "OKP":
        return OKPKey.import_key(dict(members))
    return ECKey.import_key(dict(members))


def is_encryption_jwk(jwk: Mapping[str, Any]) -> bool:
    """Whether a JWK of a JWK Set is for encryption (RFC 7517 §4.2 ``use: enc``), not for
    checking signatures."""
    return jwk.get("use") == "enc"


# Parsed recipient keys by their members: a node encrypts to the same few peers again and
# again, and joserfc's import checks the point each time.
_RECIPIENTS: dict[tuple[str, ...], tuple[str, _PublicKey]] = {}


def encryption_jwk(jwk: Mapping[str, Any]) -> tuple[str, _PublicKey]:
    """(kid, key) of a public encryption JWK; InvalidInput names the member at fault."""
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if (kty, crv) == ("OKP", "X25519"):
        members = _public_members("X25519", jwk_coordinate(jwk, "x", 32))
    elif (kty, crv) == ("EC", "P-256"):
        members = _public_members(
            "P-256", jwk_coordinate(jwk, "x", 32), jwk_coordinate(jwk, "y", 32)
        )
    else:
        raise InvalidInput(
            f"unsupported encryption JWK kty {kty!r} crv {crv!r}; expected OKP/X25519 or EC/P-256",
            field="crv",
        )
    if jwk.get("alg") not in (None, ALG):
        raise InvalidInput(f"JWK alg {jwk.get('alg')} is not {ALG}", field="alg")
    cache_key = tuple(members.values())
    found = _RECIPIENTS.get(cache_key)
    if found is None:
        try:
            found = (jwk_thumbprint(members), _import(members))
        except (JoseError, ValueError) as exc:
            raise InvalidInput(f"not a point on {crv}: {exc}", field="x") from exc
        if len(_RECIPIENTS) > 1024:
            _RECIPIENTS.clear()
        _RECIPIENTS[cache_key] = found
    return found


def encrypt(plaintext: bytes, recipient: Mapping[str, Any], kid: str | None = None) -> str:
    """``plaintext`` as a compact JWE that only the holder of ``recipient``'s private key opens.

    ``kid`` goes into the protected header (default: the JWK's RFC 7638 thumbprint, which is
    what a key store names the key by). InvalidInput if ``recipient`` is no usable public
    X25519/P-256 JWK.
    """
    thumbprint, key = encryption_jwk(recipient)
    header = {"alg": ALG, "enc": ENC, "kid": kid or thumbprint}
    return _jwe.encrypt_compact(header, plaintext, key, algorithms=_ALGORITHMS)


def jwe_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWE, unverified; DecryptionFailed if the token is
    not five base64url parts with a JSON object first, or names another ``alg``/``enc``."""
    parts = token.strip().split(".")
    if len(parts) != 5:
        raise DecryptionFailed(f"expected a compact JWE of 5 parts, got {len(parts)}")
    try:
        header = loads_untrusted(b64url_decode(parts[0]), what="JWE header")
    except (CryptoError, InvalidInput, ValueError) as exc:
        raise DecryptionFailed(f"JWE header is not base64url JSON ({exc})") from exc
    if not isinstance(header, dict):
        raise DecryptionFailed("JWE header must be a JSON object")
    if header.get("alg") != ALG or header.get("enc") != ENC:
        raise DecryptionFailed(
            f"JWE alg/enc {header.get('alg')!r}/{header.get('enc')!r}; only {ALG}/{ENC} is accepted"
        )
    if parts[1]:  # RFC 7518 §4.6: with direct key agreement the Encrypted Key is empty
        raise DecryptionFailed(f"a {ALG} JWE carries no encrypted key")
    return header


def decrypt(token: str, key: EncryptionKey | Callable[[str], EncryptionKey]) -> bytes:
    """The plaintext of compact JWE ``token``, opened with ``key`` or with the key that
    ``key(kid)`` returns for the header's ``kid``.

    Raises DecryptionFailed when the token is malformed, names another algorithm, is for
    another key, or its ciphertext, tag or header was altered (RFC 7516 §5.2: nothing of an
    unauthenticated plaintext is returned). A resolver may raise KeyNotFound for an unknown kid.
    """
    header = jwe_header(token)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise DecryptionFailed("JWE header names no kid of the recipient key")
    private = key if isinstance(key, EncryptionKey) else key(kid)
    if kid != private.kid:
        raise DecryptionFailed(f"JWE is for key {kid}, not for key {private.kid}")
    try:
        opened = _jwe.decrypt_compact(token.strip(), private._key, algorithms=_ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise DecryptionFailed(
            f"JWE for key {kid} does not decrypt: its ciphertext, tag or header was altered, "
            f"or it was made with another key ({type(exc).__name__})"
        ) from exc
    if opened.plaintext is None:  # pragma: no cover - joserfc sets it or raises
        raise DecryptionFailed(f"JWE for key {kid} has no plaintext")
    return bytes(opened.plaintext)
