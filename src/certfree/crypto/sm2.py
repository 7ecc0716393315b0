"""SM2 signatures with SM3 (GB/T 32918.2-2016) and the SM3 hash (GB/T 32905-2016).

This module computes Z_A (§5.5) and e = SM3(Z_A || M) (§6.1 A1–A2) itself, with the SM3 of
pyca/cryptography, and hands only the curve arithmetic on ``e`` (§6.1 A3–A7, §7.1 B1–B7) to
the binding. So the user ID is ours to choose, the published Z_A and e are checked directly,
and the binding's slow whole-message call (which rebuilds the key each time) is avoided.

Binding: ``gmssl-pyx`` (C extension over GmSSL 3.x). Chosen after installing the candidates
in a scratch venv, checking each against ``tests/vectors/sm_vectors.json`` and timing sign
and verify of a 200-byte message (one core, Python 3.11, per second):

=================  ========================  =========  =========  =========================
package            kind, last release        sign/s     verify/s   notes
=================  ========================  =========  =========  =========================
gmssl 3.2.2        pure Python, 2023-02          53         32     hex-string API, no typing
gmalg 1.1.2        pure Python, 2026-08          32         17     typed, clean API
snowland-smx 1.1   pure Python, 2026-09          84         83     caller must supply k
tongsuopy 1.0.1    C (Tongsuo), 2023-02        1451       1542     fixed user ID
gmssl-pyx 2.1.0    C (GmSSL 3.x), 2026-09      2374*      1044     *digest call; 220 whole
=================  ========================  =========  =========  =========================

All five verify the GB/T 32918.5 example and the gmsm verify vector. gmssl-pyx won because:
it is maintained against a maintained C library (GmSSL, 2026 release), where tongsuopy has
not shipped since 2023 and bundles a Tongsuo build that reports OpenSSL 1.1.1h (2020); it
is 12-70x faster than the pure-Python packages, whose big-integer scalar multiplication
also takes time that depends on the private key; it exposes a digest-level sign/verify,
which lets us compute Z_A ourselves and check the OpenSSL digest-level vectors; and it
ships manylinux wheels for CPython 3.11-3.13 on x86_64. Costs we accept: no aarch64 wheel
(source build needed there), no ``py.typed`` (wrapped below with types), and GmSSL writes
a C trace line to stderr on each failed verification (harmless, but visible in logs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import gmssl_pyx  # type: ignore[import-untyped]  # ships gmsslext.pyi but no py.typed marker
from cryptography.hazmat.backends.openssl.backend import backend as _openssl
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from certfree.crypto.algorithms import (
    SIGNATURE_SIZE,
    Alg,
    Jwk,
    check_jwk_alg,
    complete_jwk,
    jwk_coordinate,
)
from certfree.crypto.encoding import b64url_encode, der_to_raw
from certfree.errors import InvalidInput, SignatureInvalid

__all__ = [
    "DEFAULT_USER_ID",
    "SM2_JOSE_PROFILE",
    "SM2_P256V1",
    "SM2Curve",
    "SM2Signer",
    "SM2Verifier",
    "sm2_digest",
    "sm2_za",
    "sm3",
]

# GB/T 35276-2017 §10 (and GM/T 0009 §10): the user ID when none is agreed.
DEFAULT_USER_ID = b"1234567812345678"
FIELD_SIZE = 32  # bytes of a field element and of the scalars r, s, d on a 256-bit curve
# GB/T 32918.2 §5.5: ENTL_A is two bytes holding the bit length of ID_A.
_MAX_USER_ID_BYTES = 0xFFFF // 8


@dataclass(frozen=True, slots=True)
class SM2Curve:
    """Weierstrass curve y² = x³ + ax + b over F_p with base point G of order n."""

    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    def contains(self, x: int, y: int) -> bool:
        """Whether (x, y) is a point of the curve (GB/T 32918.1 §6.2.1 b–c)."""
        if not (0 <= x < self.p and 0 <= y < self.p):
            return False
        return (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0


# GB/T 32918.5-2017 §4: the recommended 256-bit curve, the only one the binding supports.
SM2_P256V1 = SM2Curve(
    p=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
    n=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
)

# SM2 in JOSE is a profile of ours: neither "alg": "SM2" nor "crv": "SM2" is registered with
# IANA (RFC 7518 §7.1, §7.6). What a verifier needs to check such a JWS, published by every
# node at GET /api/v1/node; docs/sm2-jose-profile.md says it in full, with an example.
SM2_JOSE_PROFILE: dict[str, Any] = {
    "profile": "certfree-sm2-jose/1",
    "iana_registered": False,
    "document": "docs/sm2-jose-profile.md",
    "alg": "SM2",
    "jwk": {
        "kty": "EC",
        "crv": "SM2",
        "x": "base64url (RFC 7515 §2) of the 32-byte big-endian x coordinate",
        "y": "base64url of the 32-byte big-endian y coordinate",
        "kid": "RFC 7638 thumbprint over crv, kty, x, y",
    },
    "curve": "GB/T 32918.5-2017 §4 recommended 256-bit curve (sm2p256v1)",
    "digest": "SM3 (GB/T 32905-2016)",
    "user_id": DEFAULT_USER_ID.decode("ascii"),
    "user_id_source": "GB/T 35276-2017 §10, GM/T 0009-2012 §10: the default when none is agreed",
    "message": "the JWS signing input, ASCII(BASE64URL(header) '.' BASE64URL(payload))",
    "signing": "GB/T 32918.2-2016 §6.1 over e = SM3(Z_A || message), Z_A per §5.5",
    "signature": "raw r || s, each 32 bytes big-endian (64 bytes), base64url; not DER",
}

_HAS_OPENSSL_SM3 = _openssl.hash_supported(hashes.SM3())


def sm3(data: bytes) -> bytes:
    """The 32-byte SM3 digest (GB/T 32905-2016) of ``data``.

    Uses OpenSSL's SM3 through pyca/cryptography; GmSSL's where an OpenSSL build lacks it.
    """
    if _HAS_OPENSSL_SM3:
        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize()
    return bytes(gmssl_pyx.sm3_hash(data))


def _element(value: int) -> bytes:
    return value.to_bytes(FIELD_SIZE, "big")


def sm2_za(
    public_x: int, public_y: int, user_id: bytes = DEFAULT_USER_ID, curve: SM2Curve = SM2_P256V1
) -> bytes:
    """Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A), GB/T 32918.2 §5.5.

    Raises InvalidInput if ``user_id`` is longer than ENTL_A (16 bits of bit length) allows.
    """
    if len(user_id) > _MAX_USER_ID_BYTES:
        raise InvalidInput(f"SM2 user ID is at most {_MAX_USER_ID_BYTES} bytes", field="user_id")
    entl = (len(user_id) * 8).to_bytes(2, "big")
    fields = (curve.a, curve.b, curve.gx, curve.gy, public_x, public_y)
    return sm3(entl + user_id + b"".join(_element(v) for v in fields))


def sm2_digest(message: bytes, za: bytes) -> bytes:
    """e = SM3(Z_A || M) as bytes, GB/T 32918.2 §6.1 A1–A2 (and §7.1 B3–B4)."""
    return sm3(za + message)


class SM2Verifier:
    """An SM2 public key on the recommended curve; implements ``Verifier``."""

    alg = Alg.SM2

    def __init__(self, x: int, y: int) -> None:
        # GB/T 32918.1 §6.2.1: a public key must be a curve point; h = 1, so no subgroup check.
        if not SM2_P256V1.contains(x, y):
            raise InvalidInput("not a point on the SM2 curve (GB/T 32918.5)", field="x")
        self.x, self.y = x, y
        self.point = _element(x) + _element(y)
        self._jwk = complete_jwk(
            {
                "kty": "EC",
                "crv": "SM2",
                "x": b64url_encode(_element(x)),
                "y": b64url_encode(_element(y)),
            },
            Alg.SM2,
        )
        self.kid = self._jwk["kid"]
        self._default_za = sm2_za(x, y)

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> SM2Verifier:
        """Read an EC/SM2 JWK; InvalidInput names the faulty member."""
        if jwk.get("kty") != "EC" or jwk.get("crv") != "SM2":
            raise InvalidInput("an SM2 JWK needs kty EC and crv SM2", field="crv")
        check_jwk_alg(jwk, Alg.SM2)
        x = int.from_bytes(jwk_coordinate(jwk, "x", FIELD_SIZE), "big")
        y = int.from_bytes(jwk_coordinate(jwk, "y", FIELD_SIZE), "big")
        return cls(x, y)

    def public_jwk(self) -> Jwk:
        return dict(self._jwk)

    def za(self, user_id: bytes = DEFAULT_USER_ID) -> bytes:
        """Z_A of this key for ``user_id`` (GB/T 32918.2 §5.5)."""
        return self._default_za if user_id == DEFAULT_USER_ID else sm2_za(self.x, self.y, user_id)

    def verify(self, data: bytes, signature: bytes, *, user_id: bytes = DEFAULT_USER_ID) -> None:
        """GB/T 32918.2 §7.1 over raw ``r || s``; SignatureInvalid names the kid."""
        self.verify_digest(sm2_digest(data, self.za(user_id)), signature)

    def verify_digest(self, e: bytes, signature: bytes) -> None:
        """§7.1 B5–B7 for a ready e = SM3(Z_A || M); the signature is raw ``r || s``."""
        if len(signature) != SIGNATURE_SIZE:
            raise SignatureInvalid(
                f"SM2 signature must be {SIGNATURE_SIZE} bytes r||s, got {len(signature)}"
            )
        r = int.from_bytes(signature[:FIELD_SIZE], "big")
        s = int.from_bytes(signature[FIELD_SIZE:], "big")
        # §7.1 B1–B2: r, s in [1, n-1]; checked here so the binding sees only plausible input.
        n = SM2_P256V1.n
        valid = 0 < r < n and 0 < s < n
        if valid:
            try:
                valid = bool(
                    gmssl_pyx.sm2_verify_sm3_digest(self.point, e, encode_dss_signature(r, s))
                )
            except gmssl_pyx.GmsslInnerError:
                valid = False
        if not valid:
            raise SignatureInvalid(f"SM2 signature does not verify with key {self.kid}")


class SM2Signer:
    """An SM2 private key with the default user ID; implements ``Signer``."""

    alg = Alg.SM2

    def __init__(self, private_scalar: bytes, verifier: SM2Verifier) -> None:
        """Prefer ``generate`` or ``from_private_bytes``; this trusts that the pair matches."""
        self._private = private_scalar
        self.verifier = verifier
        self.kid = verifier.kid

    @classmethod
    def generate(cls) -> SM2Signer:
        public, private = gmssl_pyx.sm2_key_generate()
        point = bytes(public)
        x = int.from_bytes(point[:FIELD_SIZE], "big")
        y = int.from_bytes(point[FIELD_SIZE:], "big")
        return cls(bytes(private), SM2Verifier(x, y))

    @classmethod
    def from_private_bytes(cls, scalar: bytes, public_jwk: Mapping[str, Any]) -> SM2Signer:
        """From the 32-byte private scalar d and its public JWK.

        The binding cannot derive d·G, so the public key comes along; one sign-and-verify
        proves they belong together (InvalidInput otherwise).
        """
        d = int.from_bytes(scalar, "big")
        # GB/T 32918.1 §6.1: d in [1, n-2].
        if len(scalar) != FIELD_SIZE or not 0 < d < SM2_P256V1.n - 1:
            raise InvalidInput("an SM2 private key is a 32-byte scalar in [1, n-2]")
        signer = cls(scalar, SM2Verifier.from_jwk(public_jwk))
        probe = b"certfree: does this private key match its public key?"
        try:
            signer.verifier.verify(probe, signer.sign(probe))
        except SignatureInvalid as exc:
            raise InvalidInput(f"SM2 private key does not match public key {signer.kid}") from exc
        return signer

    def private_bytes(self) -> bytes:
        """The 32-byte scalar d; only the key store calls this, to encrypt it."""
        return self._private

    def sign(self, data: bytes) -> bytes:
        """GB/T 32918.2 §6.1 with the default user ID; raw ``r || s`` (64 bytes)."""
        e = sm2_digest(data, self.verifier.za())
        return der_to_raw(bytes(gmssl_pyx.sm2_sign_sm3_digest(self._private, e)))

    def public_jwk(self) -> Jwk:
        return self.verifier.public_jwk()
