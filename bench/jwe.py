"""Encrypt/s and decrypt/s of a compact JWE per library, beside the raw primitives.

Each row times one library's compact JWE with alg ECDH-ES and enc A256GCM (RFC 7518 §4.6,
§5.3) on a ~1 KiB JSON body, for an X25519 (RFC 8037 §3.2) and a P-256 recipient key, and
prints it beside the raw rate of the same run: a fresh ephemeral key, one key agreement, the
Concat KDF of RFC 7518 §4.6.2 (one SHA-256 block) and AES-256-GCM, called on pyca/cryptography
directly with no JSON or base64url. ``ratio`` = raw rate / library rate (1.00 = no overhead).
The library row marked ``certfree`` is ``certfree.crypto.jwe``, the path the nodes take.
No limits are asserted: the figures are for reading.

    python bench/jwe.py [--seconds 0.8]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc import jwe as joserfc_jwe
from joserfc.jwk import ECKey, OKPKey
from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk

from certfree.crypto import jwe

# A body of the size of an answer to a question with a few fields, as JSON.
BODY = json.dumps(
    {"fields": {f"field_{i:02d}": "值" * 8 + f"{i:04d}" for i in range(30)}}, ensure_ascii=False
).encode()
CURVES = ("X25519", "P-256")


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second of ``operation`` over about ``seconds`` of wall time."""
    operation()
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(10):
            operation()
        count += 10
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def _concat_kdf(z: bytes) -> bytes:
    # RFC 7518 §4.6.2: one round of SHA-256 over counter || Z || OtherInfo (enc, keydatalen).
    other = len(b"A256GCM").to_bytes(4, "big") + b"A256GCM" + bytes(8) + (256).to_bytes(4, "big")
    return hashlib.sha256(b"\0\0\0\1" + z + other).digest()


def raw(curve: str, seconds: float) -> tuple[float, float]:
    """(encrypt/s, decrypt/s) of the primitives a compact ECDH-ES JWE needs, and no more."""
    agree: Callable[[], bytes]
    if curve == "X25519":
        static = X25519PrivateKey.generate()
        public = static.public_key()

        def agree() -> bytes:
            return X25519PrivateKey.generate().exchange(public)

        def agree_back() -> bytes:
            return static.exchange(public)
    else:
        ec_static = ec.generate_private_key(ec.SECP256R1())
        ec_public = ec_static.public_key()

        def agree() -> bytes:
            return ec.generate_private_key(ec.SECP256R1()).exchange(ec.ECDH(), ec_public)

        def agree_back() -> bytes:
            return ec_static.exchange(ec.ECDH(), ec_public)

    def encrypt() -> bytes:
        nonce = os.urandom(12)
        return AESGCM(_concat_kdf(agree())).encrypt(nonce, BODY, b"header")

    sealed, nonce = AESGCM(_concat_kdf(agree_back())).encrypt(bytes(12), BODY, b"header"), bytes(12)

    def decrypt() -> bytes:
        return AESGCM(_concat_kdf(agree_back())).decrypt(nonce, sealed, b"header")

    return rate(encrypt, seconds), rate(decrypt, seconds)


def with_joserfc(curve: str, seconds: float) -> tuple[float, float]:
    private = OKPKey.generate_key("X25519") if curve == "X25519" else ECKey.generate_key("P-256")
    public = type(private).import_key(private.as_dict(private=False))
    header = {"alg": "ECDH-ES", "enc": "A256GCM", "kid": "k"}
    token = joserfc_jwe.encrypt_compact(header, BODY, public)
    return (
        rate(lambda: joserfc_jwe.encrypt_compact(header, BODY, public), seconds),
        rate(lambda: joserfc_jwe.decrypt_compact(token, private).plaintext, seconds),
    )


def with_jwcrypto(curve: str, seconds: float) -> tuple[float, float]:
    kty = "OKP" if curve == "X25519" else "EC"
    private = jwcrypto_jwk.JWK.generate(kty=kty, crv=curve)
    public = jwcrypto_jwk.JWK(**private.export_public(as_dict=True))
    header = json.dumps({"alg": "ECDH-ES", "enc": "A256GCM", "kid": "k"})

    def encrypt() -> str:
        token = jwcrypto_jwe.JWE(BODY, protected=header)
        token.add_recipient(public)
        return str(token.serialize(compact=True))

    compact = encrypt()

    def decrypt() -> bytes:
        token = jwcrypto_jwe.JWE()
        token.deserialize(compact, key=private)
        return bytes(token.payload)

    return rate(encrypt, seconds), rate(decrypt, seconds)


def with_certfree(curve: str, seconds: float) -> tuple[float, float]:
    private = jwe.generate_encryption_key(curve)
    public = private.public_jwk()
    token = jwe.encrypt(BODY, public)
    return (
        rate(lambda: jwe.encrypt(BODY, public), seconds),
        rate(lambda: jwe.decrypt(token, private), seconds),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.8, help="time per figure")
    seconds = parser.parse_args().seconds
    print(f"compact JWE ECDH-ES + A256GCM, {len(BODY)}-byte body, {seconds} s per figure")
    print(f"{'library':<10} {'curve':<7} {'op':<8} {'ops/s':>9} {'raw/s':>9} {'ratio':>6}")
    libraries = [("joserfc", with_joserfc), ("jwcrypto", with_jwcrypto)]
    libraries.append(("certfree", with_certfree))
    for curve in CURVES:
        raw_encrypt, raw_decrypt = raw(curve, seconds)
        for name, measure in libraries:
            encrypt, decrypt = measure(curve, seconds)
            for op, ours, base in (
                ("encrypt", encrypt, raw_encrypt),
                ("decrypt", decrypt, raw_decrypt),
            ):
                print(f"{name:<10} {curve:<7} {op:<8} {ours:9.0f} {base:9.0f} {base / ours:6.2f}")


if __name__ == "__main__":
    main()
