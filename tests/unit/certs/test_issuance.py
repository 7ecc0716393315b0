"""Issuance under the unified seal: what a credential says and what the base library keeps."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from certfree import certs
from certfree.certs.claims import validity_dates
from certfree.certs.errors import HolderDeceased, HolderUnknown
from certfree.certs.trust import TrustList
from certfree.certs.verification import StatusLists, verify_presentation
from certfree.crypto import (
    Alg,
    Jwk,
    KeyStore,
    generate_signer,
    parse_sd_jwt,
    present_sd_jwt,
    verify_jws,
)
from certfree.errors import Forbidden, InvalidInput
from certfree.identifiers import parse_cert_id
from certfree.storage import Database
from factories.certificates import (
    BUSINESS_LICENCE,
    ELDERLY_CARD,
    ID_CARD,
    NOW,
    REAL_ESTATE,
    example_face,
    issue_example,
)
from factories.population import firm, person


@pytest.mark.parametrize("code", sorted(certs.cert_types()))
def test_every_template_issues_as_is(
    db: Database, store: KeyStore, holder_jwk: Jwk, code: str
) -> None:
    kind = certs.cert_type(code)
    with db.session() as session:
        issued = issue_example(session, store, code, holder_jwk)
    parsed = parse_sd_jwt(issued.credential)
    claims = parsed.payload
    assert parsed.header["typ"] == "dc+sd-jwt"
    assert claims["vct"] == code
    assert claims["iss"] == issued.issuer_uscc
    # RFC 7638 members only (the QR carries cnf in every presentation)
    assert claims["cnf"] == {"jwk": {k: holder_jwk[k] for k in ("crv", "kty", "x", "y")}}
    disclosed = {d.name: d.value for d in parsed.disclosures}
    assert set(kind.disclosable) - {
        p.name for p in kind.predicates if p.field not in kind.example
    } <= set(disclosed)
    for name, value in kind.example.items():
        assert disclosed[name] == value
        assert name not in claims  # hidden behind a digest until disclosed
    cert_id = parse_cert_id(disclosed.get("certificate_id") or claims["certificate_id"])
    assert cert_id.value == issued.identifier
    assert (cert_id.type_code, cert_id.issuer.code, cert_id.version) == (
        code,
        issued.issuer_uscc,
        "001",
    )
    assert claims["status"]["status_list"]["idx"] == issued.status_index


def test_credential_carries_gbt_36903_metadata_and_verifies_with_issuer_key(
    db: Database, store: KeyStore, holder_jwk: Jwk
) -> None:
    with db.session() as session:
        issued = issue_example(session, store, ELDERLY_CARD, holder_jwk)
    jwt = issued.credential.split("~")[0]
    header, claims = verify_jws(jwt, store.public_jwk)
    assert store.info(header["kid"]).owner == issued.issuer_uscc
    # Type name, issuer name and holder-code type follow from vct and iss; version from the id.
    assert claims["vct"] == ELDERLY_CARD
    disclosed = {d.name: d.value for d in parse_sd_jwt(issued.credential).disclosures}
    cert_id = disclosed.get("certificate_id") or claims["certificate_id"]
    assert parse_cert_id(cert_id).version == "001"
    assert validity_dates(claims) == {
        "issue_date": "2026-11-29",
        "valid_from": "2026-11-29",
        "valid_to": None,  # 长期
    }
    assert "exp" not in claims
    assert claims["status"]["status_list"]["uri"] == (
        f"http://127.0.0.1:8000/api/v1/status-lists/{issued.issuer_uscc}/1"
    )
    assert disclosed["age_over_60"] is True
    assert disclosed["age_over_80"] is False
    assert disclosed["holder_id"] == "370102195803150139"


def test_issuer_keys_use_the_departments_algorithm(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        es256 = issue_example(session, store, REAL_ESTATE)
        eddsa = issue_example(session, store, ID_CARD)
    assert parse_sd_jwt(es256.credential).header["alg"] == "ES256"
    assert parse_sd_jwt(eddsa.credential).header["alg"] == "EdDSA"
    assert [k.alg.value for k in store.keys(es256.issuer_uscc)] == ["ES256"]


def test_an_sm2_seal_is_made_on_request_beside_the_default_one(
    db: Database, store: KeyStore
) -> None:
    holder = generate_signer(Alg.ES256)
    with db.session() as session:
        default = issue_example(session, store, REAL_ESTATE, holder.public_jwk())
        sm2 = issue_example(session, store, REAL_ESTATE, holder.public_jwk(), seal_alg=Alg.SM2)
        again = issue_example(session, store, REAL_ESTATE, holder.public_jwk(), seal_alg=Alg.SM2)
    uscc = default.issuer_uscc
    assert [parse_sd_jwt(c.credential).header["alg"] for c in (default, sm2, again)] == [
        "ES256",
        "SM2",
        "SM2",
    ]
    assert [k.alg.value for k in store.keys(uscc)] == ["ES256"]
    assert [k.alg.value for k in store.keys(f"{uscc}:SM2")] == ["SM2"]
    # both seals are the organ's in the trust list, and each credential verifies with it
    trust = TrustList.from_keystore(store)
    assert {jwk["alg"] for jwk in trust.issuers[uscc]} == {"ES256", "SM2"}
    for issued in (default, sm2):
        shown = present_sd_jwt(issued.credential, [], holder, audience="rp", nonce="n")
        with db.session() as session:
            lists = StatusLists.from_database(session, store)
            result = verify_presentation(
                shown, trust=trust, status_lists=lists, audience="rp", nonce="n"
            )
        assert result.valid, result.failed
        assert result.issuer == uscc


def test_serials_are_unique_per_issuer(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        first = issue_example(session, store, ID_CARD)
        second = issue_example(session, store, ID_CARD)
        firm = issue_example(session, store, BUSINESS_LICENCE)
    serials = [parse_cert_id(i.identifier).serial for i in (first, second, firm)]
    assert serials == ["0000000001", "0000000002", "0000000001"]
    assert first.status_index != second.status_index
    assert {first.status_index, second.status_index} <= set(range(certs.LIST_SIZE))
    with db.session() as session:
        stored = certs.list_certificates(session, holder_id=first.holder_id)
    assert [row.identifier for row in stored] == [second.identifier, first.identifier]
    assert stored[0].credential == second.credential


def test_default_validity_follows_the_type(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        card = issue_example(session, store, ID_CARD)
    assert (card.valid_from, card.valid_to) == (dt.date(2026, 11, 29), dt.date(2046, 11, 28))
    exp = parse_sd_jwt(card.credential).payload["exp"]
    assert dt.datetime.fromtimestamp(exp, dt.UTC).isoformat() == "2046-11-28T15:59:59+00:00"


def test_validity_outside_the_types_range_is_refused(
    db: Database, store: KeyStore, holder_jwk: Jwk
) -> None:
    start = dt.date(2026, 11, 29)
    with db.session() as session, pytest.raises(certs.FaceDataInvalid, match="5 至 20 年"):
        certs.issue_certificate(
            session,
            store,
            type_code=ID_CARD,
            holder_id="370102195803150139",
            face_data=example_face(ID_CARD),
            holder_jwk=holder_jwk,
            validity=certs.Validity(start, dt.date(2066, 11, 28)),
            now=NOW,
        )


def test_a_private_key_is_never_accepted_as_holder_key(db: Database, store: KeyStore) -> None:
    signer = generate_signer()
    private = {**signer.public_jwk(), "d": "c2VjcmV0"}
    with db.session() as session, pytest.raises(InvalidInput, match="私钥") as raised:
        certs.issue_certificate(
            session,
            store,
            type_code=ELDERLY_CARD,
            holder_id="370102195803150139",
            face_data=example_face(ELDERLY_CARD),
            holder_jwk=private,
            now=NOW,
        )
    assert raised.value.field == "holder_jwk"


def test_a_department_issues_only_its_own_types(
    db: Database, store: KeyStore, holder_jwk: Jwk
) -> None:
    with db.session() as session, pytest.raises(Forbidden, match="不能签发老年人优待证"):
        certs.issue_certificate(
            session,
            store,
            type_code=ELDERLY_CARD,
            holder_id="370102195803150139",
            face_data=example_face(ELDERLY_CARD),
            holder_jwk=holder_jwk,
            issuer_uscc="370100-MZ",
            now=NOW,
        )


def test_an_unknown_issuer_is_refused(db: Database, store: KeyStore, holder_jwk: Jwk) -> None:
    with db.session() as session, pytest.raises(InvalidInput, match="不是本省登记的部门节点"):
        certs.issue_certificate(
            session,
            store,
            type_code=ELDERLY_CARD,
            holder_id="370102195803150139",
            face_data=example_face(ELDERLY_CARD),
            holder_jwk=holder_jwk,
            issuer_uscc="91370102MA3C5T8K4B",
            now=NOW,
        )


def test_concurrent_issuers_never_share_a_serial_or_status_index(
    db: Database, store: KeyStore
) -> None:
    def issue_five(_: int) -> list[certs.IssuedCertificate]:
        with db.session() as session:
            return [issue_example(session, store, ID_CARD) for _ in range(5)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        issued = [one for batch in pool.map(issue_five, range(4)) for one in batch]
    serials = {parse_cert_id(i.identifier).serial for i in issued}
    indices = {(i.status_list_uri, i.status_index) for i in issued}
    assert len(serials) == len(indices) == 20
    assert len(store.keys(issued[0].issuer_uscc)) == 1  # one seal key, however many raced


def test_status_indices_do_not_reveal_the_order_of_issuance(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        indices = [issue_example(session, store, ID_CARD).status_index for _ in range(12)]
    assert len(set(indices)) == 12
    # Drawn from a secret permutation of 16,384 entries: an ordered run has odds of 1 in 12!.
    assert indices != sorted(indices)
    assert max(indices) > 12


def test_a_holder_unknown_to_the_population_register_is_refused(
    db: Database, store: KeyStore, holder_jwk: Jwk
) -> None:
    with db.session() as session:
        person(session)  # this node keeps a population register
        with pytest.raises(HolderUnknown, match="人口库中没有公民身份号码为") as raised:
            issue_example(session, store, ELDERLY_CARD, holder_jwk)
    assert raised.value.field == "holder"


def test_a_deceased_holder_is_refused(db: Database, store: KeyStore, holder_jwk: Jwk) -> None:
    with db.session() as session:
        holder = person(session, name="张老汉", birth=dt.date(1950, 3, 15))
        holder.deceased = True
        face = example_face(
            ELDERLY_CARD, name=holder.name, id_number=holder.id_number,
            birth_date=holder.birth_date.isoformat(),
        )  # fmt: skip
        with pytest.raises(HolderDeceased, match="已死亡") as raised:
            certs.issue_certificate(
                session, store, type_code=ELDERLY_CARD, holder_id=holder.id_number,
                face_data=face, holder_jwk=holder_jwk, now=NOW,
            )  # fmt: skip
    assert raised.value.field == "holder"


def test_a_living_registered_holder_is_issued(
    db: Database, store: KeyStore, holder_jwk: Jwk
) -> None:
    with db.session() as session:
        holder = person(session, name="张老汉", birth=dt.date(1950, 3, 15))
        face = example_face(
            ELDERLY_CARD, name=holder.name, id_number=holder.id_number,
            birth_date=holder.birth_date.isoformat(),
        )  # fmt: skip
        issued = certs.issue_certificate(
            session, store, type_code=ELDERLY_CARD, holder_id=holder.id_number,
            face_data=face, holder_jwk=holder_jwk, now=NOW,
        )  # fmt: skip
    assert issued.holder_id == holder.id_number


def test_a_firm_unknown_to_the_firm_register_is_refused(
    db: Database, store: KeyStore, holder_jwk: Jwk
) -> None:
    with db.session() as session:
        registered = firm(session, representative=person(session))
        ok = issue_example(
            session, store, BUSINESS_LICENCE, holder_jwk, uscc=registered.uscc,
            name=registered.name,
        )  # fmt: skip
        assert ok.holder_id == registered.uscc
        with pytest.raises(HolderUnknown, match="法人库中没有") as raised:
            issue_example(session, store, BUSINESS_LICENCE, holder_jwk)
    assert raised.value.field == "holder"
