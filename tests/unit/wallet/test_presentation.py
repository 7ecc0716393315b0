"""Presenting (亮证): only the chosen disclosures, bound to the verifier's audience and nonce."""

from __future__ import annotations

import time
from typing import Any

import pytest

from certfree.crypto import (
    Alg,
    SdJwtInvalid,
    SdJwtReason,
    generate_signer,
    issue_sd_jwt,
    parse_sd_jwt,
    verify_sd_jwt,
)
from certfree.errors import InvalidInput
from certfree.wallet import (
    ClaimNotDisclosable,
    CredentialBoundToOtherKey,
    HolderKey,
    parse_disclose,
    present,
    read_credential,
)

AUDIENCE = "https://hotel.example/front-desk"
NONCE = "f3c9a1d2"


def test_presentation_carries_only_the_chosen_disclosures(
    holder: HolderKey, credential: str
) -> None:
    shown = present(credential, holder, ["age_over_60"], audience=AUDIENCE, nonce=NONCE)

    parsed = parse_sd_jwt(shown)
    assert [d.name for d in parsed.disclosures] == ["age_over_60"]
    assert parsed.kb_jwt is not None
    assert parsed.jwt == parse_sd_jwt(credential).jwt  # the issuer's seal is untouched
    assert "张三" not in shown  # name stays hidden, even base64url-decoded below
    assert all(d.value != "张三" for d in parsed.disclosures)


def test_presentation_verifies_with_audience_nonce_and_key_binding(
    holder: HolderKey,
) -> None:
    issuer = generate_signer(Alg.ES256)
    now = int(time.time())
    credential = issue_sd_jwt(
        issuer,
        {"vct": "11100000000000000001A", "iat": now, "name": "李四", "age_over_18": True},
        selectively_disclosable=["name", "age_over_18"],
        holder_jwk=holder.public_jwk(),
    )
    shown = present(credential, holder, ["age_over_18"], audience=AUDIENCE, nonce=NONCE)

    def resolve(header: dict[str, Any], payload: dict[str, Any]) -> Any:
        return issuer.public_jwk()

    result = verify_sd_jwt(shown, resolve, audience=AUDIENCE, nonce=NONCE)
    assert result.disclosed == ("age_over_18",)
    assert result.claims["age_over_18"] is True
    assert "name" not in result.claims
    assert result.key_binding is not None
    assert result.key_binding["aud"] == AUDIENCE
    with pytest.raises(SdJwtInvalid) as refused:
        verify_sd_jwt(shown, resolve, audience=AUDIENCE, nonce="another-nonce")
    assert refused.value.reason is SdJwtReason.KB_WRONG_NONCE


def test_undisclosable_claim_is_named_with_what_can_be(
    holder: HolderKey, credential: str, face: dict[str, Any]
) -> None:
    with pytest.raises(ClaimNotDisclosable) as info:
        present(credential, holder, ["name", "height", "iss"], audience=AUDIENCE, nonce=NONCE)

    assert info.value.missing == ["height", "iss"]
    assert info.value.disclosable == list(face)
    assert "该证照不能披露 height、iss" in info.value.message
    assert "可披露的有：name、birth_date" in info.value.message
    assert info.value.problem_extensions()["missing"] == ["height", "iss"]


def test_another_key_cannot_present(credential: str) -> None:
    with pytest.raises(CredentialBoundToOtherKey):
        present(credential, HolderKey.generate(), ["name"], audience=AUDIENCE, nonce=NONCE)


@pytest.mark.parametrize(
    ("audience", "nonce", "field"), [(" ", NONCE, "audience"), (AUDIENCE, "", "nonce")]
)
def test_audience_and_nonce_are_required(
    holder: HolderKey, credential: str, audience: str, nonce: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        present(credential, holder, ["name"], audience=audience, nonce=nonce)
    assert info.value.field == field


def test_presenting_nothing_still_binds_the_holder(holder: HolderKey, credential: str) -> None:
    shown = present(credential, holder, [], audience=AUDIENCE, nonce=NONCE, iat=1_764_000_000)
    parsed = parse_sd_jwt(shown)
    assert parsed.disclosures == ()
    assert parsed.kb_jwt is not None


def test_a_presentation_added_back_keeps_only_the_issued_part(
    holder: HolderKey, credential: str
) -> None:
    shown = present(credential, holder, ["name"], audience=AUDIENCE, nonce=NONCE)
    info = read_credential(shown)
    assert info.disclosable == ("name",)
    assert parse_sd_jwt(info.compact).kb_jwt is None


def test_parse_disclose() -> None:
    assert parse_disclose(" name, age_over_60,,name ") == ["name", "age_over_60"]
    assert parse_disclose("") == []
