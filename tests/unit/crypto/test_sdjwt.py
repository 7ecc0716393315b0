"""SD-JWT (RFC 9901) issued and shown with our own seal: each algorithm, each refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from certfree.crypto import (
    Alg,
    KeyLike,
    SdJwtInvalid,
    Signer,
    b64url_decode,
    b64url_encode,
    generate_signer,
    issue_sd_jwt,
    jwk_thumbprint,
    parse_sd_jwt,
    present_sd_jwt,
    sign_jws,
    verify_sd_jwt,
)
from certfree.errors import InvalidInput, KeyNotFound, SignatureInvalid

NOW = 1_780_000_000
AUD = "https://police.example.cn/roadside"
NONCE = "n-0f3a9c"
CLAIMS = {
    "iss": "https://certs.sd.gov.cn/issuers/11370000004307021T",
    "vct": "113700000043070210001",
    "iat": NOW - 3600,
    "exp": NOW + 86400,
    "name": "张三",
    "birth_date": "1960-05-01",
    "age_over_60": True,
    "address": {"city": "济南", "district": "历下区"},
}
FIELDS = ["name", "birth_date", "age_over_60", "address"]


def trusting(signer: Signer) -> Any:
    def resolve(header: dict[str, Any], payload: dict[str, Any]) -> KeyLike:
        if header.get("kid") != signer.kid:
            raise KeyNotFound(f"issuer key {header.get('kid')} is not in the trust list")
        return signer.public_jwk()

    return resolve


def _credential(issuer: Signer, holder: Signer, **changes: Any) -> str:
    return issue_sd_jwt(
        issuer,
        {**CLAIMS, **changes},
        selectively_disclosable=FIELDS,
        holder_jwk=holder.public_jwk(),
        decoys=3,
    )


def _verify(presentation: str, issuer: Signer, **kwargs: Any) -> Any:
    options: dict[str, Any] = {"audience": AUD, "nonce": NONCE, "now": NOW, **kwargs}
    return verify_sd_jwt(presentation, trusting(issuer), **options)


def _reason(presentation: str, issuer: Signer, **kwargs: Any) -> str:
    with pytest.raises(SdJwtInvalid) as caught:
        _verify(presentation, issuer, **kwargs)
    assert caught.value.message_zh in str(caught.value)
    return str(caught.value.reason)


@pytest.mark.parametrize("issuer_alg", list(Alg))
@pytest.mark.parametrize("holder_alg", list(Alg))
def test_holder_discloses_only_what_they_choose(issuer_alg: Alg, holder_alg: Alg) -> None:
    issuer, holder = generate_signer(issuer_alg), generate_signer(holder_alg)
    credential = _credential(issuer, holder)
    shown = present_sd_jwt(credential, ["age_over_60"], holder, audience=AUD, nonce=NONCE, iat=NOW)
    result = _verify(shown, issuer)
    assert result.disclosed == ("age_over_60",)
    assert result.claims["age_over_60"] is True
    assert "name" not in result.claims
    assert "birth_date" not in result.claims
    assert "_sd" not in result.claims
    assert "_sd_alg" not in result.claims
    assert result.claims["vct"] == CLAIMS["vct"]
    assert jwk_thumbprint(result.holder_jwk or {}) == holder.kid
    assert result.key_binding is not None
    assert result.key_binding["aud"] == AUD


def test_issued_credential_has_typ_sorted_digests_decoys_and_a_bare_holder_key() -> None:
    issuer, holder = generate_signer(), generate_signer(Alg.ES256)
    parsed = parse_sd_jwt(_credential(issuer, holder))
    assert parsed.header["typ"] == "dc+sd-jwt"
    assert "_sd_alg" not in parsed.payload  # RFC 9901 §4.1.1: sha-256 is the default
    assert parsed.payload["_sd"] == sorted(parsed.payload["_sd"])
    assert len(parsed.payload["_sd"]) == len(FIELDS) + 3
    assert {d.name for d in parsed.disclosures} == set(FIELDS)
    assert all(d.digest in parsed.payload["_sd"] for d in parsed.disclosures)
    assert "name" not in parsed.payload
    # Only the RFC 7638 members: the same key and thumbprint, 100 characters less per QR code.
    public = holder.public_jwk()
    assert parsed.payload["cnf"] == {"jwk": {m: public[m] for m in ("kty", "crv", "x", "y")}}
    assert parsed.kb_jwt is None


def test_nested_members_are_disclosed_one_by_one_with_their_object() -> None:
    issuer, holder = generate_signer(), generate_signer(Alg.ES256)
    claims = {**CLAIMS, "face": {"name": "张三", "sex": "男", "id_number": "370102"}}
    credential = issue_sd_jwt(
        issuer,
        claims,
        selectively_disclosable=[("face", "name"), ("face", "sex"), ("face", "id_number"), "face"],
        holder_jwk=holder.public_jwk(),
    )
    assert "face" not in parse_sd_jwt(credential).payload
    shown = present_sd_jwt(credential, ["name"], holder, audience=AUD, nonce=NONCE, iat=NOW)
    assert sorted(d.name or "" for d in parse_sd_jwt(shown).disclosures) == ["face", "name"]
    result = _verify(shown, issuer)
    assert result.claims["face"] == {"name": "张三"}
    whole = present_sd_jwt(credential, ["face"], holder, audience=AUD, nonce=NONCE, iat=NOW)
    assert _verify(whole, issuer).claims["face"] == claims["face"]
    without = present_sd_jwt(credential, [], holder, audience=AUD, nonce=NONCE, iat=NOW)
    assert "face" not in _verify(without, issuer).claims


def test_key_binding_header_names_no_kid() -> None:
    issuer, holder = generate_signer(), generate_signer(Alg.ES256)
    shown = _show(_credential(issuer, holder), holder)
    header = json.loads(b64url_decode(shown.rsplit("~", 1)[1].split(".")[0]))
    assert header == {"alg": "ES256", "typ": "kb+jwt"}


def test_chinese_values_round_trip_and_fixed_salt_is_used() -> None:
    issuer = generate_signer()
    credential = issue_sd_jwt(
        issuer, CLAIMS, selectively_disclosable=["name"], salt=lambda: "c2FsdHNhbHRzYWx0"
    )
    (disclosure,) = parse_sd_jwt(credential).disclosures
    assert (disclosure.salt, disclosure.name, disclosure.value) == (
        "c2FsdHNhbHRzYWx0",
        "name",
        "张三",
    )
    result = _verify(credential, issuer, require_key_binding=False)
    assert result.claims["name"] == "张三"
    assert result.key_binding is None


def test_issuer_refuses_to_hide_control_claims_or_unknown_names() -> None:
    issuer = generate_signer()
    with pytest.raises(InvalidInput, match="iss"):
        issue_sd_jwt(issuer, CLAIMS, selectively_disclosable=["iss"])
    with pytest.raises(InvalidInput, match="height"):
        issue_sd_jwt(issuer, CLAIMS, selectively_disclosable=["height"])


def test_presenting_an_unknown_claim_names_what_can_be_disclosed() -> None:
    issuer, holder = generate_signer(), generate_signer()
    with pytest.raises(InvalidInput, match="age_over_60"):
        present_sd_jwt(_credential(issuer, holder), ["height"], holder, audience=AUD, nonce=NONCE)


def test_a_new_presentation_replaces_an_old_key_binding() -> None:
    issuer, holder = generate_signer(), generate_signer()
    first = present_sd_jwt(_credential(issuer, holder), FIELDS, holder, audience="x", nonce="y")
    again = present_sd_jwt(first, ["name"], holder, audience=AUD, nonce=NONCE, iat=NOW)
    assert _verify(again, issuer).disclosed == ("name",)


@pytest.fixture
def pair() -> tuple[Signer, Signer, str]:
    issuer, holder = generate_signer(), generate_signer(Alg.ES256)
    return issuer, holder, _credential(issuer, holder)


def _show(credential: str, holder: Signer, **kwargs: Any) -> str:
    options: dict[str, Any] = {"audience": AUD, "nonce": NONCE, "iat": NOW, **kwargs}
    return present_sd_jwt(credential, ["name", "age_over_60"], holder, **options)


def test_wrong_nonce_audience_and_stale_binding(pair: tuple[Signer, Signer, str]) -> None:
    issuer, holder, credential = pair
    assert _reason(_show(credential, holder, nonce="other"), issuer) == "kb_wrong_nonce"
    assert _reason(_show(credential, holder, audience="hotel"), issuer) == "kb_wrong_audience"
    assert _reason(_show(credential, holder, iat=NOW - 301), issuer) == "kb_stale"
    assert _reason(_show(credential, holder, iat=NOW + 3600), issuer) == "kb_stale"
    assert _verify(_show(credential, holder, iat=NOW - 299), issuer).disclosed


def test_binding_by_another_key_is_refused(pair: tuple[Signer, Signer, str]) -> None:
    issuer, _, credential = pair
    thief = generate_signer(Alg.ES256)
    assert _reason(_show(credential, thief), issuer) == "kb_bad_signature"


def test_missing_binding_is_refused_unless_not_required(pair: tuple[Signer, Signer, str]) -> None:
    issuer, _, credential = pair
    assert _reason(credential, issuer) == "kb_missing"
    assert _verify(credential, issuer, require_key_binding=False).disclosed


def test_tampered_disclosure_is_not_referenced(pair: tuple[Signer, Signer, str]) -> None:
    issuer, holder, credential = pair
    parsed = parse_sd_jwt(credential)
    name = next(d for d in parsed.disclosures if d.name == "name")
    forged = b64url_encode(json.dumps([name.salt, "name", "李四"]).encode())
    tampered = credential.replace(name.encoded, forged)
    shown = present_sd_jwt(tampered, ["name"], holder, audience=AUD, nonce=NONCE, iat=NOW)
    assert _reason(shown, issuer) == "disclosure_not_referenced"


def test_duplicate_disclosure_and_dropped_disclosure(pair: tuple[Signer, Signer, str]) -> None:
    issuer, holder, credential = pair
    shown = _show(credential, holder)
    jwt, first, *rest = shown.split("~")
    doubled = "~".join([jwt, first, first, *rest])
    assert _reason(doubled, issuer) == "duplicate_disclosure"
    dropped = "~".join([jwt, *rest])
    assert _reason(dropped, issuer) == "kb_sd_hash_mismatch"


def test_validity_period(pair: tuple[Signer, Signer, str]) -> None:
    issuer, holder, _ = pair
    expired = _credential(issuer, holder, exp=NOW - 1)
    assert _reason(_show(expired, holder), issuer) == "expired"
    future = _credential(issuer, holder, nbf=NOW + 60)
    assert _reason(_show(future, holder), issuer) == "not_yet_valid"


def test_unknown_issuer_and_bad_seal(pair: tuple[Signer, Signer, str]) -> None:
    issuer, holder, credential = pair
    shown = _show(credential, holder)
    assert _reason(shown, generate_signer()) == "unknown_issuer"
    jwt, tail = shown.split("~", 1)
    head, payload, signature = jwt.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert _reason(f"{head}.{payload}.{flipped}~{tail}", issuer) == "bad_issuer_signature"


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256"])
def test_header_alg_none_or_mac_is_refused(pair: tuple[Signer, Signer, str], alg: str) -> None:
    issuer, holder, credential = pair
    jwt, tail = _show(credential, holder).split("~", 1)
    head, payload, signature = jwt.split(".")
    header = json.loads(b64url_decode(head))
    forged_head = b64url_encode(json.dumps({**header, "alg": alg}).encode())
    assert _reason(f"{forged_head}.{payload}.{signature}~{tail}", issuer) == "alg_not_allowed"


def test_kb_jwt_of_another_type_is_refused(pair: tuple[Signer, Signer, str]) -> None:
    issuer, holder, credential = pair
    prefix = _show(credential, holder).rsplit("~", 1)[0] + "~"
    wrong = sign_jws(holder, {"aud": AUD, "nonce": NONCE, "iat": NOW}, header={"typ": "JWT"})
    assert _reason(prefix + wrong, issuer) == "kb_wrong_type"


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda s: s[: len(s) // 3], "malformed"),  # a QR code read only in part
        (lambda s: s.split("~")[0], "malformed"),
        (lambda s: s.replace("~", "~!!~", 1), "malformed_disclosure"),
        (lambda s: s + "A" * 70_000, "oversized"),
        (lambda s: "不是凭证", "malformed"),
    ],
)
def test_truncated_garbled_or_oversized_input(
    pair: tuple[Signer, Signer, str], mangle: Any, reason: str
) -> None:
    issuer, holder, credential = pair
    assert _reason(mangle(_show(credential, holder)), issuer) == reason


def test_errors_are_signature_errors_with_problem_reason(pair: tuple[Signer, Signer, str]) -> None:
    issuer, _, credential = pair
    with pytest.raises(SignatureInvalid) as caught:
        _verify(credential, issuer)
    assert isinstance(caught.value, SdJwtInvalid)
    assert caught.value.problem_extensions() == {"reason": "kb_missing"}
    assert caught.value.status == 422


def test_non_canonical_base64url_is_malformed(pair: tuple[Signer, Signer, str]) -> None:
    issuer, holder, credential = pair
    jwt, tail = _show(credential, holder).split("~", 1)
    head, payload, signature = jwt.split(".")
    # 64 bytes encode to 86 characters; the last carries 4 unused bits, which must be zero.
    last = signature[-1]
    stray = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    bumped = stray[stray.index(last) ^ 1]
    assert _reason(f"{head}.{payload}.{signature[:-1]}{bumped}~{tail}", issuer) == "malformed"


@pytest.mark.parametrize("alg", [Alg.EdDSA, Alg.ES256])
def test_holder_key_that_is_not_a_key_fails_the_binding(alg: Alg) -> None:
    issuer, holder = generate_signer(), generate_signer(alg)
    broken = {**holder.public_jwk(), "x": b64url_encode(b"\x01" * 31)}
    credential = issue_sd_jwt(issuer, CLAIMS, selectively_disclosable=["name"], holder_jwk=broken)
    shown = present_sd_jwt(credential, ["name"], holder, audience=AUD, nonce=NONCE, iat=NOW)
    assert _reason(shown, issuer) == "kb_bad_signature"


def _sealed(issuer: Signer, payload: dict[str, Any], *disclosures: list[Any]) -> str:
    """An SD-JWT the issuer really signed, with a payload built by hand."""
    encoded = [b64url_encode(json.dumps(d, ensure_ascii=False).encode()) for d in disclosures]
    return "~".join([sign_jws(issuer, payload), *encoded, ""])


def _digest_of(disclosure: list[Any]) -> str:
    compact = _sealed(generate_signer(), {}, disclosure)
    return parse_sd_jwt(compact).disclosures[0].digest


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda d: ({"_sd": [d], "_sd_alg": "sha-512"}, ["s", "name", "x"]), "unsupported_sd_alg"),
        (lambda d: ({"_sd": [d, d]}, ["s", "name", "x"]), "duplicate_digest"),
        (lambda d: ({"_sd": [d], "name": "y"}, ["s", "name", "x"]), "claim_conflict"),
        (lambda d: ({"list": [{"...": d}]}, ["s", "name", "x"]), "malformed_disclosure"),
        (lambda d: ({"_sd": [d]}, ["s", "x"]), "malformed_disclosure"),
    ],
)
def test_signed_but_inconsistent_payloads(build: Any, reason: str) -> None:
    issuer = generate_signer()
    _, disclosure = build("")
    payload, _ = build(_digest_of(disclosure))
    compact = _sealed(issuer, payload, disclosure)
    assert _reason(compact, issuer, require_key_binding=False) == reason


def test_key_binding_without_a_holder_key_in_the_credential() -> None:
    issuer, holder = generate_signer(), generate_signer()
    credential = issue_sd_jwt(issuer, CLAIMS, selectively_disclosable=["name"])
    shown = present_sd_jwt(credential, ["name"], holder, audience=AUD, nonce=NONCE, iat=NOW)
    assert _reason(shown, issuer) == "holder_key_missing"
