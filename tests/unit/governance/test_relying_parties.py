"""The register of relying parties: scenarios checked against the catalogue, the register
signed and read offline, verifiers' requests signed and held to their scenario."""

from __future__ import annotations

import pytest

from certfree.crypto import Alg, generate_signer, sign_jws
from certfree.errors import InvalidInput, SignatureInvalid
from certfree.governance import relying_parties as rp
from certfree.identifiers import make_uscc
from certfree.storage import Database

HOTEL = make_uscc("9", "1", "370100", "MA3C8Y6K")
PARK = make_uscc("9", "1", "370900", "MA94HT01")
ID_CARD = rp.ID_CARD_VCT
ELDERLY_CARD = "11100000000013709K001"
NOW = 1_796_000_000


def _spec(name: str = "hotel_check_in", claims: tuple[str, ...] = ("age_over_18", "name"),
          vcts: tuple[str, ...] = (ID_CARD,)) -> rp.ScenarioSpec:  # fmt: skip
    return rp.ScenarioSpec(
        name, "入住登记", "Check-in", vcts, claims, "《旅馆业治安管理办法》第六条"
    )


@pytest.fixture
def hotel_key() -> rp.PartyEntry | object:
    return generate_signer(Alg.ES256)


@pytest.fixture
def register(db: Database, hotel_key: object) -> rp.Register:
    with db.session() as session:
        rp.add_relying_party(
            session, HOTEL, scenarios=[_spec()], name="泉城宾馆", kind="hotel",
            jwk=hotel_key.public_jwk(),  # type: ignore[attr-defined]
        )  # fmt: skip
        rp.add_relying_party(
            session, PARK, scenarios=[_spec("elder_discount", ("age_over_60",),
                                             (ID_CARD, ELDERLY_CARD))],
            name="泰山景区", kind=rp.RelyingPartyKind.SCENIC_SPOT,
            jwk=generate_signer(Alg.ES256).public_jwk(),
        )  # fmt: skip
        return rp.Register.from_payload(rp.register_payload(session, "370000", now=NOW))


# -- adding -------------------------------------------------------------------------------------


def test_a_claim_the_catalogue_lacks_is_refused_by_name(db: Database) -> None:
    with db.session() as session, pytest.raises(rp.ScenarioClaimUnknown) as caught:
        rp.add_relying_party(
            session, HOTEL, scenarios=[_spec(claims=("age_over_18", "shoe_size"))],
            name="泉城宾馆", kind="hotel", jwk=generate_signer(Alg.ES256).public_jwk(),
        )  # fmt: skip
    assert "shoe_size" in str(caught.value)
    assert caught.value.field == "claims"
    with db.session() as session:
        assert rp.list_relying_parties(session) == []  # nothing stored


def test_a_claim_of_another_type_is_refused_for_the_type_named(db: Database) -> None:
    # The ID card has no age_over_80 (the elderly card has): named with the type lacking it.
    with db.session() as session, pytest.raises(rp.ScenarioClaimUnknown, match="age_over_80"):
        rp.add_relying_party(
            session, PARK, scenarios=[_spec("elder", ("age_over_80",), (ELDERLY_CARD, ID_CARD))],
            name="景区", kind="scenic_spot", jwk=generate_signer(Alg.ES256).public_jwk(),
        )  # fmt: skip


def test_the_organisation_code_is_checked() -> None:
    with pytest.raises(InvalidInput, match="check character"):
        rp.add_relying_party(
            None,  # type: ignore[arg-type]  # refused before the database is touched
            HOTEL[:-1] + ("0" if HOTEL[-1] != "0" else "1"),
            scenarios=[_spec()],
        )


def test_only_an_es256_public_key_is_registered() -> None:
    signer = generate_signer(Alg.ES256)
    with pytest.raises(InvalidInput, match="私钥"):
        rp.check_public_jwk({**signer.public_jwk(), "d": "AAAA"})
    with pytest.raises(InvalidInput, match="ES256"):
        rp.check_public_jwk(generate_signer(Alg.EdDSA).public_jwk())
    assert rp.check_public_jwk(signer.public_jwk())["crv"] == "P-256"


def test_a_scenario_is_registered_once(db: Database, register: rp.Register) -> None:
    with db.session() as session, pytest.raises(rp.RelyingPartyExists):
        rp.add_relying_party(session, HOTEL, scenarios=[_spec()])


# -- the signed register ------------------------------------------------------------------------


def test_the_register_verifies_with_the_province_key_only(db: Database, register: object) -> None:
    province = generate_signer(Alg.EdDSA)
    with db.session() as session:
        token = rp.sign_register(session, province, "370000", now=NOW)
    jwks = {"keys": [province.public_jwk()]}
    read = rp.verify_register(token, jwks, now=NOW + 60)
    assert read.party(rp.audience_of(HOTEL)) is not None
    assert read.party(HOTEL).scenarios["hotel_check_in"].claims == ("age_over_18", "name")  # type: ignore[union-attr]
    assert read.serial > 0
    other = {"keys": [generate_signer(Alg.EdDSA).public_jwk()]}
    with pytest.raises(SignatureInvalid):
        rp.verify_register(token, other, now=NOW + 60)
    with pytest.raises(SignatureInvalid, match="过期"):
        rp.verify_register(token, jwks, now=NOW + rp.REGISTER_VALIDITY_SECONDS + 1)
    # A JWS of the province that is not a register is not read as one.
    with pytest.raises(SignatureInvalid, match="typ"):
        rp.verify_register(sign_jws(province, {"v": 1}, header={"typ": "x"}), jwks, now=NOW)


def test_the_serial_grows_with_a_suspension(db: Database, register: rp.Register) -> None:
    with db.session() as session:
        rp.set_status(session, HOTEL, rp.RelyingPartyStatus.SUSPENDED)
        after = rp.Register.from_payload(rp.register_payload(session, "370000"))
    assert after.serial > register.serial
    assert after.party(HOTEL).status == "suspended"  # type: ignore[union-attr]


# -- requests -----------------------------------------------------------------------------------


def _request(key: object, register: rp.Register, **changes: object) -> rp.VerifierRequest:
    scenario = register.party(HOTEL).scenarios["hotel_check_in"]  # type: ignore[union-attr]
    return rp.sign_request(key, HOTEL, scenario, now=NOW, **changes)  # type: ignore[arg-type]


def test_a_signed_request_is_read_and_checked(hotel_key: object, register: rp.Register) -> None:
    made = _request(hotel_key, register)
    assert made.text.startswith("certfree:request?jwt=")
    checked = rp.check_request(made.text, register, now=NOW + 10)
    assert checked.request.aud == rp.audience_of(HOTEL)
    assert checked.scenario is not None
    assert checked.scenario.name == "hotel_check_in"
    assert checked.request.claims == ("age_over_18", "name")


def _refused(
    rule: rp.Rule, text: str, register: rp.Register, now: int = NOW + 10
) -> rp.RelyingPartyRefused:
    with pytest.raises(rp.RelyingPartyRefused) as caught:
        rp.check_request(text, register, now=now)
    assert caught.value.rule is rule, caught.value
    return caught.value


def test_a_request_asking_beyond_its_scenario_is_refused_with_the_rule(
    hotel_key: object, register: rp.Register
) -> None:
    made = _request(hotel_key, register, claims=["birth_date", "name"])
    refusal = _refused(rp.Rule.CLAIMS_BEYOND_SCENARIO, made.text, register)
    assert refusal.refused == ("birth_date",)
    assert refusal.allowed == ("age_over_18", "name")
    assert "hotel_check_in" in refusal.message_zh
    assert "age_over_18" in refusal.message_en
    assert refusal.problem_extensions()["rule"] == "rp.claims-beyond-scenario"


def test_an_unsigned_request_naming_a_registered_verifier_is_refused(
    register: rp.Register,
) -> None:
    text = f"certfree:request?aud=certfree:verifier:{HOTEL}&nonce=n1&claims=age_over_18"
    _refused(rp.Rule.REQUEST_UNSIGNED, text, register)
    # The old form still reads for an audience that is not registered.
    old = rp.check_request("certfree:request?aud=https%3A%2F%2Fgate&nonce=n1&claims=a,b", register)
    assert (old.request.aud, old.request.claims, old.party) == ("https://gate", ("a", "b"), None)


def test_a_request_signed_by_another_key_is_refused(register: rp.Register) -> None:
    forged = _request(generate_signer(Alg.ES256), register)
    _refused(rp.Rule.REQUEST_SIGNATURE, forged.text, register)


def test_a_request_of_an_unregistered_party_is_refused(register: rp.Register) -> None:
    other = make_uscc("9", "1", "370200", "MA7XQ2RD")
    scenario = register.party(HOTEL).scenarios["hotel_check_in"]  # type: ignore[union-attr]
    made = rp.sign_request(generate_signer(Alg.ES256), other, scenario, now=NOW)
    _refused(rp.Rule.PARTY_UNREGISTERED, made.text, register)


def test_a_request_of_a_suspended_party_is_refused(
    db: Database, hotel_key: object, register: rp.Register
) -> None:
    with db.session() as session:
        rp.set_status(session, HOTEL, rp.RelyingPartyStatus.SUSPENDED)
        suspended = rp.Register.from_payload(rp.register_payload(session, "370000"))
    _refused(rp.Rule.PARTY_SUSPENDED, _request(hotel_key, register).text, suspended)


def test_an_expired_or_overlong_request_is_refused(
    hotel_key: object, register: rp.Register
) -> None:
    made = _request(hotel_key, register)
    _refused(rp.Rule.REQUEST_EXPIRED, made.text, register, now=NOW + rp.REQUEST_TTL + 120)
    long = _request(hotel_key, register, lifetime=rp.MAX_REQUEST_LIFETIME + 1)
    _refused(rp.Rule.REQUEST_EXPIRED, long.text, register)


def test_a_request_for_a_scenario_not_registered_is_refused(
    hotel_key: object, register: rp.Register
) -> None:
    other = rp.ScenarioEntry("night_club", "x", "x", (ID_CARD,), ("age_over_18",), "x")
    made = rp.sign_request(hotel_key, HOTEL, other, now=NOW)  # type: ignore[arg-type]
    refusal = _refused(rp.Rule.SCENARIO_UNKNOWN, made.text, register)
    assert refusal.allowed == ("hotel_check_in",)


# -- disclosure ---------------------------------------------------------------------------------


def test_disclosing_beyond_the_scenario_is_refused(register: rp.Register) -> None:
    audience = rp.audience_of(HOTEL)
    with pytest.raises(rp.RelyingPartyRefused) as caught:
        rp.check_disclosure(register, audience, ["birth_date"], vct=ID_CARD)
    assert caught.value.rule is rp.Rule.CLAIMS_BEYOND_SCENARIO
    assert caught.value.scenario == "hotel_check_in"
    assert caught.value.field == "disclose"
    fits = rp.check_disclosure(register, audience, ["age_over_18"], vct=ID_CARD)
    assert fits is not None
    assert fits.name == "hotel_check_in"
    # Not a registered party: no register rule applies.
    assert rp.check_disclosure(register, "https://gate", ["birth_date"]) is None


def test_a_certificate_type_outside_the_scenario_is_refused(register: rp.Register) -> None:
    with pytest.raises(rp.RelyingPartyRefused) as caught:
        rp.check_disclosure(
            register, PARK, ["age_over_60"], scenario="elder_discount", vct="111000000000132071001"
        )
    assert caught.value.rule is rp.Rule.TYPE_NOT_IN_SCENARIO
    assert rp.check_disclosure(register, PARK, ["age_over_60"], vct=ELDERLY_CARD) is not None
