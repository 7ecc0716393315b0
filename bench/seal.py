"""Sign/s and verify/s of the unified seal beside the raw library, per algorithm.

Each row times our ``Signer.sign`` / ``verify(jwk, ...)`` path and the library call it wraps,
in the same run on a 200-byte message, and prints the ratio ours/raw. For SM2 there are two
raw figures: gmssl-pyx's whole-message ``sm2_sign``/``sm2_verify`` (the binding's own call),
and its digest-level call on a precomputed e, which is what we call after computing Z_A and
e ourselves. No limits are asserted: the figures are for reading.

    python bench/seal.py [--seconds 0.8]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import gmssl_pyx  # type: ignore[import-untyped]  # ships gmsslext.pyi but no py.typed marker
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certfree.crypto import Alg, generate_signer, sm3, verifier_for, verify

MESSAGE = bytes(range(200))


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second of ``operation`` over about ``seconds`` of wall time."""
    operation()  # warm up caches (Z_A, key handles)
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(10):
            operation()
        count += 10
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def ours(alg: Alg, seconds: float) -> tuple[float, float, float]:
    """(sign/s, verify/s, verify/s from a JWK) through certfree.crypto.

    ``verify`` uses a ready Verifier, as KeyStore.verify_jws does (it caches one per kid);
    ``verify(jwk)`` also parses the JWK and checks the point every call, as a one-shot
    ``certfree.crypto.verify(jwk, ...)`` does.
    """
    signer = generate_signer(alg)
    jwk = signer.public_jwk()
    verifier = verifier_for(jwk)
    signature = signer.sign(MESSAGE)
    return (
        rate(lambda: signer.sign(MESSAGE), seconds),
        rate(lambda: verifier.verify(MESSAGE, signature), seconds),
        rate(lambda: verify(jwk, MESSAGE, signature), seconds),
    )


def raw_ed25519(seconds: float) -> tuple[float, float]:
    key = Ed25519PrivateKey.generate()
    public, signature = key.public_key(), key.sign(MESSAGE)
    return (
        rate(lambda: key.sign(MESSAGE), seconds),
        rate(lambda: public.verify(signature, MESSAGE), seconds),
    )


def raw_p256(seconds: float) -> tuple[float, float]:
    ecdsa = ec.ECDSA(hashes.SHA256())
    key = ec.generate_private_key(ec.SECP256R1())
    public, signature = key.public_key(), key.sign(MESSAGE, ecdsa)
    return (
        rate(lambda: key.sign(MESSAGE, ecdsa), seconds),
        rate(lambda: public.verify(signature, MESSAGE, ecdsa), seconds),
    )


def raw_sm2(seconds: float) -> tuple[float, float]:
    """gmssl-pyx's own whole-message call (it computes Z_A with the default user ID)."""
    public, private = gmssl_pyx.sm2_key_generate()
    signature = gmssl_pyx.sm2_sign(private, public, MESSAGE)
    return (
        rate(lambda: gmssl_pyx.sm2_sign(private, public, MESSAGE), seconds),
        rate(lambda: gmssl_pyx.sm2_verify(public, MESSAGE, signature), seconds),
    )


def raw_sm2_digest(seconds: float) -> tuple[float, float]:
    """gmssl-pyx's digest-level call on a ready e: the part of our path the binding does."""
    public, private = gmssl_pyx.sm2_key_generate()
    e = sm3(MESSAGE)
    signature = gmssl_pyx.sm2_sign_sm3_digest(private, e)
    return (
        rate(lambda: gmssl_pyx.sm2_sign_sm3_digest(private, e), seconds),
        rate(lambda: gmssl_pyx.sm2_verify_sm3_digest(public, e, signature), seconds),
    )


def rows(seconds: float) -> list[tuple[str, str, float, float]]:
    """(algorithm, operation, ours/s, raw/s) for every algorithm."""
    raws = [
        ("EdDSA", Alg.EdDSA, raw_ed25519),
        ("ES256", Alg.ES256, raw_p256),
        ("SM2", Alg.SM2, raw_sm2),
        ("SM2 vs digest call", Alg.SM2, raw_sm2_digest),
    ]
    measured: dict[Alg, tuple[float, float, float]] = {}
    out = []
    for name, alg, raw in raws:
        if alg not in measured:
            measured[alg] = ours(alg, seconds)
        (our_sign, our_verify, our_jwk_verify), (raw_sign, raw_verify) = measured[alg], raw(seconds)
        out.append((name, "sign", our_sign, raw_sign))
        out.append((name, "verify", our_verify, raw_verify))
        out.append((name, "verify(jwk)", our_jwk_verify, raw_verify))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.8, help="time per measurement")
    args = parser.parse_args()
    print(f"message: {len(MESSAGE)} bytes, {args.seconds} s per figure")
    print(f"{'algorithm':<18} {'op':<11} {'ours/s':>9} {'raw/s':>9} {'ours/raw':>9}")
    for name, op, our_rate, raw_rate in rows(args.seconds):
        ratio = our_rate / raw_rate
        print(f"{name:<18} {op:<11} {our_rate:>9,.0f} {raw_rate:>9,.0f} {ratio:>9.2f}")


if __name__ == "__main__":
    main()
