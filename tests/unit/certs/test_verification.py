"""Verifying a presented certificate: each check passes or fails with its own reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from certfree.certs.trust import TrustList
from certfree.certs.verification import StatusLists, VerificationResult, verify_presentation
from certfree.crypto import (
    Alg,
    KeyStore,
    Signer,
    StatusList,
    StatusValue,
    generate_signer,
    issue_sd_jwt,
    jwk_thumbprint,
    present_sd_jwt,
    sign_status_list_token,
)
from certfree.errors import KeyNotFound

NOW = 1_780_000_000
USCC = "11370000004307021T"
OTHER_USCC = "91370100MA3C5XXX0Q"
URI = f"https://certs.sd.gov.cn/api/v1/status-lists/{USCC}/1"
AUD, NONCE = "https://police.example.cn/roadside", "n-77e1"
VCT = "113700000043070210001"


class Scene:
    """One issuer with its status list, one holder, and a verifier's trust list."""

    def __init__(self, alg: Alg = Alg.EdDSA) -> None:
        self.issuer = generate_signer(alg)
        self.holder = generate_signer(Alg.ES256)
        self.statuses = StatusList(2, 64)
        self.trust = TrustList(issuers={USCC: (self.issuer.public_jwk(),)})
        self.fetches = 0
        self.list_signer: Signer = self.issuer

    def credential(self, idx: int = 5, **changes: Any) -> str:
        claims = {
            "iss": USCC,
            "vct": VCT,
            "iat": NOW - 86400,
            "nbf": NOW - 86400,
            "exp": NOW + 86400 * 365,
            "status": {"status_list": {"idx": idx, "uri": URI}},
            "name": "王五",
            "age_over_60": True,
            **changes,
        }
        return issue_sd_jwt(
            self.issuer,
            claims,
            selectively_disclosable=["name", "age_over_60"],
            holder_jwk=self.holder.public_jwk(),
        )

    def present(self, credential: str, **kwargs: Any) -> str:
        options: dict[str, Any] = {"audience": AUD, "nonce": NONCE, "iat": NOW, **kwargs}
        return present_sd_jwt(credential, ["age_over_60"], self.holder, **options)

    def token(self, uri: str = URI) -> str:
        self.fetches += 1
        return sign_status_list_token(
            self.list_signer, uri, self.statuses, iat=NOW - 10, exp=NOW + 86400, ttl=300
        )

    def verify(self, presentation: str, *, source: Any = None, **kwargs: Any) -> Any:
        options: dict[str, Any] = {"audience": AUD, "nonce": NONCE, "now": NOW, **kwargs}
        return verify_presentation(
            presentation,
            trust=self.trust,
            status_lists=source or StatusLists(self.token),
            **options,
        )


def reasons(result: VerificationResult) -> list[str]:
    return [f"{f.check}:{f.reason}" for f in result.failed]


@pytest.mark.parametrize("alg", list(Alg))
def test_valid_presentation_shows_only_the_disclosed_data(alg: Alg) -> None:
    scene = Scene(alg)
    result = scene.verify(scene.present(scene.credential()))
    assert result.valid, reasons(result)
    assert result.claims["age_over_60"] is True
    assert "name" not in result.claims
    assert result.disclosed == ("age_over_60",)
    assert (result.issuer, result.vct, result.status) == (USCC, VCT, StatusValue.VALID)
    assert jwk_thumbprint(result.holder_jwk or {}) == scene.holder.kid
    assert result.to_json()["failed_checks"] == []


@pytest.mark.parametrize(
    ("status", "reason"),
    [(StatusValue.INVALID, "status:revoked"), (StatusValue.SUSPENDED, "status:suspended")],
)
def test_revoked_or_suspended_certificate_fails(status: StatusValue, reason: str) -> None:
    scene = Scene()
    scene.statuses.set(5, status)
    result = scene.verify(scene.present(scene.credential()))
    assert not result.valid
    assert reasons(result) == [reason]
    assert result.claims == {}


def test_expired_and_revoked_are_both_reported() -> None:
    scene = Scene()
    scene.statuses.set(5, StatusValue.INVALID)
    result = scene.verify(scene.present(scene.credential(exp=NOW - 1)))
    assert reasons(result) == ["validity:expired", "status:revoked"]
    assert result.failed[0].message_zh == "证照已过有效期"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"nonce": "replayed"}, "nonce:kb_wrong_nonce"),
        ({"audience": "https://hotel.example.cn"}, "audience:kb_wrong_audience"),
        ({"iat": NOW - 3600}, "key_binding:kb_stale"),
    ],
)
def test_binding_to_this_verifier_and_moment(kwargs: dict[str, Any], reason: str) -> None:
    scene = Scene()
    result = scene.verify(scene.present(scene.credential(), **kwargs))
    assert reasons(result) == [reason]


def test_another_holders_key_and_unknown_issuer() -> None:
    scene = Scene()
    stolen = present_sd_jwt(
        scene.credential(), ["name"], generate_signer(Alg.ES256), audience=AUD, nonce=NONCE, iat=NOW
    )
    assert reasons(scene.verify(stolen)) == ["key_binding:kb_bad_signature"]
    stranger = Scene()
    assert reasons(scene.verify(stranger.present(stranger.credential()))) == ["seal:unknown_issuer"]


def test_status_list_sealed_by_another_issuer_is_refused() -> None:
    scene = Scene()
    scene.list_signer = generate_signer()
    result = scene.verify(scene.present(scene.credential()))
    assert reasons(result) == ["status:status_list_unknown_issuer"]


def test_status_list_cached_for_its_ttl_then_refetched() -> None:
    scene = Scene()
    source = StatusLists(scene.token)
    presentation = scene.present(scene.credential())
    assert scene.verify(presentation, source=source).valid
    scene.statuses.set(5, StatusValue.INVALID)
    assert scene.verify(presentation, source=source, now=NOW + 60).valid  # within ttl
    late = scene.present(scene.credential(), iat=NOW + 301)
    assert reasons(scene.verify(late, source=source, now=NOW + 301)) == ["status:revoked"]
    assert scene.fetches == 2


def test_offline_with_saved_trust_list_and_status_directory(tmp_path: Path) -> None:
    scene = Scene()
    province = generate_signer()
    signed = TrustList(issuers=scene.trust.issuers, publisher="370000").sign(
        province, iat=NOW, exp=NOW + 86400
    )
    TrustList.from_token(signed, province.public_jwk()).save(tmp_path / "trust.jwt")
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "1.jwt").write_text(scene.token(), encoding="ascii")
    trust = TrustList.load(tmp_path / "trust.jwt", province.public_jwk())
    assert trust.publisher == "370000"
    result = verify_presentation(
        scene.present(scene.credential()),
        trust=trust,
        status_lists=StatusLists.from_directory(tmp_path / "lists"),
        audience=AUD,
        nonce=NONCE,
        now=NOW,
    )
    assert result.valid, reasons(result)
    other = scene.credential(status={"status_list": {"idx": 1, "uri": URI + "9"}})
    missing = verify_presentation(
        scene.present(other),
        trust=trust,
        status_lists=StatusLists.from_directory(tmp_path / "lists"),
        audience=AUD,
        nonce=NONCE,
        now=NOW,
    )
    assert reasons(missing) == ["status:status_unavailable"]


def test_trust_list_from_keystore_groups_keys_by_issuer(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", "passphrase-for-tests")
    store.create(USCC, Alg.SM2)
    store.create(OTHER_USCC, Alg.EdDSA)
    store.create("node", Alg.EdDSA)
    trust = TrustList.from_keystore(store)
    assert set(trust.issuers) == {USCC, OTHER_USCC}
    with pytest.raises(KeyNotFound):
        trust.key_for("node", None)


def test_garbage_is_a_format_failure() -> None:
    result = Scene().verify("not a presentation")
    assert reasons(result) == ["format:malformed"]


def test_face_fields_read_flat_with_the_dates_the_credential_leaves_to_standard_claims() -> None:
    scene = Scene()
    face = {"holder_id": "370102195803150139", "name": "王五", "sex": "男"}
    credential = issue_sd_jwt(
        scene.issuer,
        {
            "iss": USCC,
            "vct": "11100000000013709K001",  # 老年人优待证 in the catalog
            "iat": NOW - 86400,
            "status": {"status_list": {"idx": 5, "uri": URI}},
            "face": face,
            "age_over_60": True,
        },
        selectively_disclosable=[*(("face", name) for name in face), "face", "age_over_60"],
        holder_jwk=scene.holder.public_jwk(),
    )
    shown = present_sd_jwt(
        credential, ["name", "age_over_60"], scene.holder, audience=AUD, nonce=NONCE, iat=NOW
    )
    result = scene.verify(shown)
    assert result.valid, reasons(result)
    assert sorted(result.disclosed) == ["age_over_60", "name"]  # not the face object itself
    assert result.claims["name"] == "王五"
    assert "sex" not in result.claims
    assert "face" not in result.claims
    assert result.claims["certificate_name"] == "老年人优待证"
    # No nbf: valid from the issue day; no exp: 长期 (GB/T 36903 有效期).
    assert (result.claims["issue_date"], result.claims["valid_from"]) == ("2026-05-28",) * 2
    assert result.claims["valid_to"] is None
