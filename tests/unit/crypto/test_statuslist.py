"""Token Status List: the draft's encodings, its signed example, interop, and each refusal."""

from __future__ import annotations

import json
import random
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from token_status_list import BitArray

from certfree.crypto import (
    Alg,
    KeyLike,
    Signer,
    StatusList,
    StatusListInvalid,
    StatusValue,
    b64url_encode,
    generate_signer,
    sign_jws,
    sign_status_list_token,
    verify_status_list_token,
)
from certfree.errors import InvalidInput, KeyNotFound

VECTORS = json.loads(
    (Path(__file__).parents[2] / "vectors" / "status_list_vectors.json").read_text("utf-8")
)
URI = "https://certs.sd.gov.cn/status/11370000004307021T/1"
NOW = 1_780_000_000


@pytest.mark.parametrize("case", VECTORS["lists"], ids=lambda c: c["source"].rsplit("/", 1)[-1])
def test_draft_encodings_decode_to_their_statuses(case: dict[str, Any]) -> None:
    status_list = StatusList.decode(case["lst"], case["bits"])
    assert len(status_list) == case["entries"]
    assert len(bytes(status_list)) == case["decoded_bytes"]
    nonzero = {str(i): s for i in range(len(status_list)) if (s := status_list.get(i))}
    assert nonzero == case["nonzero_statuses"]


@pytest.mark.parametrize("case", VECTORS["lists"], ids=lambda c: c["source"].rsplit("/", 1)[-1])
def test_rebuilding_a_draft_list_gives_the_same_bytes(case: dict[str, Any]) -> None:
    rebuilt = StatusList(case["bits"], case["entries"])
    for index, status in case["nonzero_statuses"].items():
        rebuilt.set(int(index), status)
    assert bytes(rebuilt) == bytes(StatusList.decode(case["lst"], case["bits"]))
    assert StatusList.decode(rebuilt.encode(), case["bits"]).get(0) == rebuilt.get(0)


def test_draft_signed_token_verifies() -> None:
    example = VECTORS["status_list_jwt"]
    status_list = verify_status_list_token(
        example["compact"],
        lambda header, payload: example["issuer_public_jwk"],
        expected_uri="https://example.com/statuslists/1",
        now=1_686_920_170,
    )
    assert [status_list.get(i) for i in range(4)] == [1, 0, 0, 1]


@given(
    bits=st.sampled_from([1, 2, 4, 8]),
    statuses=st.lists(st.integers(min_value=0, max_value=255), min_size=1, max_size=300),
)
def test_get_returns_what_set_stored(bits: int, statuses: list[int]) -> None:
    status_list = StatusList(bits, len(statuses))
    fitted = [s % (1 << bits) for s in statuses]
    for index, status in enumerate(fitted):
        status_list.set(index, status)
    assert [status_list.get(i) for i in range(len(fitted))] == fitted


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_interop_with_token_status_list(bits: int) -> None:
    rng = random.Random(bits)
    ours = StatusList(bits, 4096)
    theirs = BitArray.of_size(bits, 4096)
    for index in rng.sample(range(4096), 200):
        status = rng.randrange(1, 1 << bits)
        ours.set(index, status)
        theirs.set(index, status)
    decoded_there = BitArray.from_b64(bits, ours.encode())
    decoded_here = StatusList.decode(theirs.to_b64(), bits)
    assert [decoded_there.get(i) for i in range(4096)] == [ours.get(i) for i in range(4096)]
    assert [decoded_here.get(i) for i in range(4096)] == [theirs.get(i) for i in range(4096)]


def test_status_values_and_limits() -> None:
    status_list = StatusList(2, 10)
    status_list.set(3, StatusValue.SUSPENDED)
    status_list.set(4, StatusValue.INVALID)
    assert status_list.get(3) == StatusValue.SUSPENDED
    assert status_list.get(4) == StatusValue.INVALID
    assert status_list.get(5) == StatusValue.VALID
    with pytest.raises(InvalidInput, match="fit"):
        StatusList(1, 8).set(0, StatusValue.SUSPENDED)
    with pytest.raises(InvalidInput, match="outside"):
        status_list.get(12)
    with pytest.raises(InvalidInput, match="bits"):
        StatusList(3, 8)


def _resolver(signer: Signer) -> Any:
    def resolve(header: dict[str, Any], payload: dict[str, Any]) -> KeyLike:
        if header.get("kid") != signer.kid:
            raise KeyNotFound("not a trusted issuer key")
        return signer.public_jwk()

    return resolve


@pytest.mark.parametrize("alg", list(Alg))
def test_signed_token_round_trip(alg: Alg) -> None:
    signer = generate_signer(alg)
    status_list = StatusList(1, 1024)
    status_list.set(17, StatusValue.INVALID)
    token = sign_status_list_token(signer, URI, status_list, iat=NOW, exp=NOW + 86400, ttl=600)
    got = verify_status_list_token(token, _resolver(signer), expected_uri=URI, now=NOW + 10)
    assert got.get(17) == StatusValue.INVALID
    assert got.get(16) == StatusValue.VALID


def _reason(token: str, signer: Signer, *, uri: str = URI, now: int = NOW) -> str:
    with pytest.raises(StatusListInvalid) as caught:
        verify_status_list_token(token, _resolver(signer), expected_uri=uri, now=now)
    return str(caught.value.reason)


def test_each_refusal_has_its_reason() -> None:
    signer = generate_signer()
    good = sign_status_list_token(signer, URI, StatusList(1, 8), iat=NOW, exp=NOW + 60, ttl=60)
    assert _reason(good, signer, now=NOW + 60) == "expired"
    assert _reason(good, signer, now=NOW - 3600) == "not_yet_valid"
    assert _reason(good, signer, uri=URI + "0") == "wrong_uri"
    assert _reason(good, generate_signer()) == "unknown_issuer"
    head, payload, _ = good.split(".")
    zeros = b64url_encode(bytes(64))
    assert _reason(f"{head}.{payload}.{zeros}", signer) == "bad_signature"
    assert _reason(good[:40], signer) == "malformed"
    plain = sign_jws(signer, {"sub": URI, "iat": NOW}, header={"typ": "JWT"})
    assert _reason(plain, signer) == "wrong_type"
    none_head = b64url_encode(json.dumps({"alg": "none", "typ": "statuslist+jwt"}).encode())
    assert _reason(f"{none_head}.{payload}.", signer) == "alg_not_allowed"
    bad_lst = {"sub": URI, "iat": NOW, "status_list": {"bits": 1, "lst": "AAAA"}}
    forged = sign_jws(signer, bad_lst, header={"typ": "statuslist+jwt"})
    assert _reason(forged, signer) == "bad_encoding"


def test_decompression_bomb_is_refused() -> None:
    bomb = b64url_encode(zlib.compress(bytes(64 * 1024 * 1024), level=9))
    with pytest.raises(StatusListInvalid) as caught:
        StatusList.decode(bomb, 1)
    assert caught.value.reason == "bad_encoding"
