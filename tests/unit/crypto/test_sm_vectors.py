"""GB/T 32905 SM3 examples and GB/T 32918 SM2 examples from tests/vectors/sm_vectors.json.

Each vector becomes one test. The GB/T 32918.2 Annex A example uses a 256-bit *test* curve
that no binding supports, so for it Z_A and e are computed by certfree.crypto and r, s are
checked by a literal transcription of §7.1 below; the recommended-curve examples go through
the production verifier.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from certfree.crypto import sm2_za, sm3
from certfree.crypto.sm2 import SM2_P256V1, SM2Curve, SM2Signer, SM2Verifier, sm2_digest
from certfree.errors import InvalidInput, SignatureInvalid

VECTORS = json.loads(
    (Path(__file__).parents[2] / "vectors" / "sm_vectors.json").read_text(encoding="utf-8")
)
Point = tuple[int, int] | None  # None is the point at infinity


def _message(vector: dict[str, Any]) -> bytes:
    if "msg_hex" in vector:
        return bytes.fromhex(vector["msg_hex"])
    return str(vector.get("msg_ascii", vector.get("message_ascii"))).encode("ascii")


def _curve(spec: str | dict[str, Any]) -> SM2Curve:
    if spec == "recommended":
        return SM2_P256V1
    assert isinstance(spec, dict)
    return SM2Curve(**{k: int(spec[k], 16) for k in ("p", "a", "b", "gx", "gy", "n")})


def _add(p1: Point, p2: Point, c: SM2Curve) -> Point:
    """GB/T 32918.1 §3.2.3.1 affine point addition."""
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % c.p == 0:
        return None
    if p1 == p2:
        slope = (3 * x1 * x1 + c.a) * pow(2 * y1, -1, c.p)
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, c.p)
    x3 = (slope * slope - x1 - x2) % c.p
    return x3, (slope * (x1 - x3) - y1) % c.p


def _mul(k: int, point: Point, c: SM2Curve) -> Point:
    result: Point = None
    while k:
        if k & 1:
            result = _add(result, point, c)
        point = _add(point, point, c)
        k >>= 1
    return result


def reference_verify(c: SM2Curve, public: tuple[int, int], e: int, r: int, s: int) -> bool:
    """GB/T 32918.2 §7.1 B1–B7 as printed, given e (B3–B4 are checked separately)."""
    if not (0 < r < c.n and 0 < s < c.n):  # B1, B2
        return False
    t = (r + s) % c.n  # B5
    if t == 0:
        return False
    sum_point = _add(_mul(s, (c.gx, c.gy), c), _mul(t, public, c), c)  # B6
    return sum_point is not None and (e + sum_point[0]) % c.n == r  # B7


@pytest.mark.parametrize("vector", VECTORS["sm3"], ids=lambda v: v["source"][:40])
def test_sm3_digest_matches_published_value(vector: dict[str, Any]) -> None:
    assert sm3(_message(vector)).hex() == vector["digest"]


@pytest.mark.parametrize("vector", VECTORS["sm2_sign"], ids=lambda v: v["name"][:40])
def test_sm2_sign_example_za_and_e_match_published_values(vector: dict[str, Any]) -> None:
    curve = _curve(vector["curve"])
    x, y = int(vector["public_key_x"], 16), int(vector["public_key_y"], 16)
    za = sm2_za(x, y, vector["user_id_ascii"].encode("ascii"), curve)
    assert za.hex() == vector["za"]
    assert sm2_digest(_message(vector), za).hex() == vector["e"]


@pytest.mark.parametrize("vector", VECTORS["sm2_sign"], ids=lambda v: v["name"][:40])
def test_sm2_sign_example_published_signature_verifies(vector: dict[str, Any]) -> None:
    curve = _curve(vector["curve"])
    public = (int(vector["public_key_x"], 16), int(vector["public_key_y"], 16))
    r, s = int(vector["r"], 16), int(vector["s"], 16)
    e = int(vector["e"], 16)
    assert reference_verify(curve, public, e, r, s)
    assert not reference_verify(curve, public, e ^ 1, r, s)
    # The published key pair is consistent: d·G is the published public key (GB/T 32918.1 §6.1).
    assert _mul(int(vector["private_key"], 16), (curve.gx, curve.gy), curve) == public


def _recommended(vectors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in vectors if v["curve"] == "recommended"]


@pytest.mark.parametrize("vector", _recommended(VECTORS["sm2_sign"]), ids=lambda v: v["name"][:40])
def test_sm2_verifier_accepts_published_signature_and_rejects_altered(
    vector: dict[str, Any],
) -> None:
    verifier = SM2Verifier(int(vector["public_key_x"], 16), int(vector["public_key_y"], 16))
    signature = bytes.fromhex(vector["r"] + vector["s"])
    message = _message(vector)
    user_id = vector["user_id_ascii"].encode("ascii")
    verifier.verify(message, signature, user_id=user_id)
    with pytest.raises(SignatureInvalid, match="SM2 signature does not verify with key"):
        verifier.verify(message + b".", signature, user_id=user_id)
    flipped = signature[:-1] + bytes([signature[-1] ^ 1])
    with pytest.raises(SignatureInvalid):
        verifier.verify(message, flipped, user_id=user_id)
    with pytest.raises(SignatureInvalid):
        verifier.verify(message, signature, user_id=b"ALICE123@YAHOO.COM")


@pytest.mark.parametrize("vector", _recommended(VECTORS["sm2_sign"]), ids=lambda v: v["name"][:40])
def test_sm2_signer_from_published_private_key_signs_verifiably(vector: dict[str, Any]) -> None:
    verifier = SM2Verifier(int(vector["public_key_x"], 16), int(vector["public_key_y"], 16))
    signer = SM2Signer.from_private_bytes(
        bytes.fromhex(vector["private_key"]), verifier.public_jwk()
    )
    signature = signer.sign(b"certfree")
    assert len(signature) == 64
    verifier.verify(b"certfree", signature)


def _lenient_der(hex_der: str) -> bytes:
    """r || s from a DER SEQUENCE, tolerating the non-minimal leading 00 the vector notes."""
    der = bytes.fromhex(hex_der)
    assert der[0] == 0x30
    index, values = 2, []
    for _ in range(2):
        assert der[index] == 0x02
        length = der[index + 1]
        values.append(int.from_bytes(der[index + 2 : index + 2 + length], "big"))
        index += 2 + length
    return b"".join(v.to_bytes(32, "big") for v in values)


def test_sm2_verify_only_gmsm_vector_with_default_user_id() -> None:
    vector = VECTORS["sm2_verify_only"][0]
    verifier = SM2Verifier(int(vector["public_key_x"], 16), int(vector["public_key_y"], 16))
    signature = _lenient_der(vector["signature_der"])
    assert vector["user_id_ascii"].encode() == b"1234567812345678"
    verifier.verify(_message(vector), signature)  # the default user ID
    with pytest.raises(SignatureInvalid):
        verifier.verify(_message(vector)[:-1], signature)


_DIGEST_VECTOR = VECTORS["sm2_verify_only"][1]


@pytest.mark.parametrize("case", _DIGEST_VECTOR["cases"], ids=lambda c: c["e"][:12])
def test_sm2_verify_only_openssl_digest_level_vectors(case: dict[str, Any]) -> None:
    point = bytes.fromhex(_DIGEST_VECTOR["public_key_uncompressed"])
    assert point[0] == 0x04
    verifier = SM2Verifier(int.from_bytes(point[1:33], "big"), int.from_bytes(point[33:], "big"))
    signature = _lenient_der(case["signature_der"])
    e = bytes.fromhex(case["e"])
    if case["valid"]:
        verifier.verify_digest(e, signature)
    with pytest.raises(SignatureInvalid):
        verifier.verify_digest(bytes(32), signature)


def test_sm2_public_key_off_the_curve_is_refused() -> None:
    vector = VECTORS["sm2_sign"][0]
    with pytest.raises(InvalidInput, match="not a point on the SM2 curve"):
        SM2Verifier(int(vector["public_key_x"], 16), int(vector["public_key_y"], 16) + 1)


def test_sm2_private_key_that_does_not_match_its_public_key_is_refused() -> None:
    vector = VECTORS["sm2_sign"][0]
    other = SM2Signer.generate()
    with pytest.raises(InvalidInput, match="does not match public key"):
        SM2Signer.from_private_bytes(bytes.fromhex(vector["private_key"]), other.public_jwk())


@pytest.mark.parametrize(
    "signature",
    [bytes(64), bytes(63), SM2_P256V1.n.to_bytes(32, "big") * 2],
    ids=["zero r and s", "63 bytes", "r = s = n"],
)
def test_sm2_out_of_range_signatures_are_refused(signature: bytes) -> None:
    signer = SM2Signer.generate()
    with pytest.raises(SignatureInvalid):
        signer.verifier.verify(b"data", signature)
