"""RFC 9901 examples (tests/vectors/sdjwt_vectors.json): they verify; forgeries fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from certfree.crypto import KeyLike, SdJwtInvalid, parse_sd_jwt, verify_sd_jwt

VECTORS = json.loads(
    (Path(__file__).parents[2] / "vectors" / "sdjwt_vectors.json").read_text("utf-8")
)
ISSUER_JWK = VECTORS["keys"]["issuer_public_jwk"]
HOLDER_JWK = VECTORS["keys"]["holder_public_jwk"]
# RFC 9901 §5.2: the KB-JWT of the example was made at this time for this verifier.
KB = next(v["kb_expected"] for v in VECTORS["sd_jwts"] if "kb_expected" in v)
# The 5.1 / A.1 examples carry no KB-JWT; any moment between their iat and exp will do.
ISSUANCE_TIME = 1_700_000_000
# Which reason each forged 5.2 presentation must be refused with, in file order.
NEGATIVE_REASONS = ["disclosure_not_referenced", "kb_sd_hash_mismatch", "bad_issuer_signature"]


def issuer_key(header: dict[str, Any], payload: dict[str, Any]) -> KeyLike:
    return ISSUER_JWK  # type: ignore[no-any-return]


@pytest.mark.parametrize("pair", VECTORS["disclosure_digest_pairs"], ids=lambda p: p["source"])
def test_disclosure_digest(pair: dict[str, Any]) -> None:
    jwt = VECTORS["sd_jwts"][0]["compact"].split("~")[0]
    (disclosure,) = parse_sd_jwt(f"{jwt}~{pair['disclosure']}~").disclosures
    assert disclosure.digest == pair["sha256_b64url"]
    if len(pair["decoded"]) == 3:  # RFC 9901 §4.2.1 object property
        assert [disclosure.salt, disclosure.name, disclosure.value] == pair["decoded"]
    else:  # §4.2.2 array element: no name
        assert [disclosure.salt, disclosure.value] == pair["decoded"]
        assert disclosure.name is None


def _expected(case: dict[str, Any]) -> Any:
    return case.get(
        "expected_processed_payload", case.get("expected_processed_payload_all_disclosed")
    )


@pytest.mark.parametrize(
    "case",
    [c for c in VECTORS["sd_jwts"] if "kb_jwt_sig_valid" not in c],
    ids=lambda c: c["name"][:40],
)
def test_issuance_examples_verify_with_every_disclosure(case: dict[str, Any]) -> None:
    result = verify_sd_jwt(
        case["compact"],
        issuer_key,
        audience=None,
        nonce=None,
        require_key_binding=False,
        now=ISSUANCE_TIME,
    )
    assert len(result.disclosed) == len(
        parse_sd_jwt(case["compact"]).disclosures
    ) - _array_disclosures(case)
    if _expected(case) is not None:
        assert result.claims == _expected(case)


def _array_disclosures(case: dict[str, Any]) -> int:
    return sum(d.name is None for d in parse_sd_jwt(case["compact"]).disclosures)


def test_rfc_presentation_with_key_binding_verifies() -> None:
    case = next(c for c in VECTORS["sd_jwts"] if "kb_expected" in c)
    result = verify_sd_jwt(
        case["compact"], issuer_key, audience=KB["aud"], nonce=KB["nonce"], now=KB["iat"]
    )
    assert result.claims == case["expected_processed_payload"]
    assert result.key_binding is not None
    assert result.key_binding["sd_hash"] == KB["sd_hash"]
    assert result.holder_jwk == HOLDER_JWK


def test_older_draft_key_binding_without_sd_hash_is_refused() -> None:
    # The pre-RFC example binds nothing to the disclosures sent (RFC 9901 §4.3 requires sd_hash).
    case = next(c for c in VECTORS["sd_jwts"] if "kb_jwt_sig_valid" in c and "kb_expected" not in c)
    with pytest.raises(SdJwtInvalid) as caught:
        verify_sd_jwt(case["compact"], issuer_key, audience=None, nonce=None, now=ISSUANCE_TIME)
    assert caught.value.reason == "kb_sd_hash_mismatch"


@pytest.mark.parametrize(
    ("case", "reason"),
    list(zip(VECTORS["negative_cases"], NEGATIVE_REASONS, strict=True)),
    ids=lambda c: c["name"][:40] if isinstance(c, dict) else c,
)
def test_forged_presentations_fail_with_their_reason(case: dict[str, Any], reason: str) -> None:
    with pytest.raises(SdJwtInvalid) as caught:
        verify_sd_jwt(
            case["compact"], issuer_key, audience=KB["aud"], nonce=KB["nonce"], now=KB["iat"]
        )
    assert caught.value.reason == reason


def test_presentation_verified_later_than_five_minutes_is_stale() -> None:
    compact = next(c["compact"] for c in VECTORS["sd_jwts"] if "kb_expected" in c)
    with pytest.raises(SdJwtInvalid) as caught:
        verify_sd_jwt(
            compact, issuer_key, audience=KB["aud"], nonce=KB["nonce"], now=KB["iat"] + 301
        )
    assert caught.value.reason == "kb_stale"
