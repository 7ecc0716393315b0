"""Suspend, resume, revoke, replace and expiry, as the issuer's status list shows them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from certfree import certs
from certfree.crypto import KeyStore, StatusList, parse_sd_jwt, verify_status_list_token
from certfree.errors import InvalidIdentifier, InvalidInput
from certfree.identifiers import make_cert_id
from certfree.storage import Database
from factories.certificates import ELDERLY_CARD, ID_CARD, NOW, issue_example


def _served(session: Session, keys: KeyStore, issued: certs.IssuedCertificate) -> StatusList:
    """The status list as a relying party would check it (draft §8.3)."""
    signed = certs.signed_status_list(session, keys, issued.issuer_uscc, 1, now=NOW)
    return verify_status_list_token(
        signed.token,
        lambda header, _: keys.public_jwk(header["kid"]),
        expected_uri=issued.status_list_uri,
        now=int(NOW.timestamp()),
    )


def test_revoke_flips_the_bit_in_the_next_list(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        issued = issue_example(session, store, ELDERLY_CARD)
        other = issue_example(session, store, ELDERLY_CARD)
        before = _served(session, store, issued)
        etag = certs.signed_status_list(session, store, issued.issuer_uscc, 1, now=NOW).etag
    assert before.bits == 2
    assert before.get(issued.status_index) == 0
    with db.session() as session:
        row = certs.revoke_certificate(session, issued.identifier, "lost", now=NOW)
        assert row.revocation_reason is certs.RevocationReason.LOST
    with db.session() as session:
        after = _served(session, store, issued)
        assert certs.signed_status_list(session, store, issued.issuer_uscc, 1).etag != etag
        stored = certs.get_certificate(session, issued.identifier)
        assert certs.effective_status(stored) is certs.CertStatus.REVOKED
    assert after.get(issued.status_index) == 1
    assert after.get(other.status_index) == 0


def test_an_unchanged_list_keeps_its_token_and_etag(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        issued = issue_example(session, store, ELDERLY_CARD)
        first = certs.signed_status_list(session, store, issued.issuer_uscc, 1, now=NOW)
        again = certs.signed_status_list(session, store, issued.issuer_uscc, 1, now=NOW)
    assert (again.token, again.etag) == (first.token, first.etag)
    assert first.ttl == certs.TOKEN_TTL_SECONDS


def test_suspend_then_resume(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        issued = issue_example(session, store, ID_CARD)
        certs.suspend_certificate(session, issued.identifier)
        assert _served(session, store, issued).get(issued.status_index) == 2
        with pytest.raises(certs.StatusConflict, match="只有有效的证照可以暂停"):
            certs.suspend_certificate(session, issued.identifier)
        certs.resume_certificate(session, issued.identifier)
        assert _served(session, store, issued).get(issued.status_index) == 0
        with pytest.raises(certs.StatusConflict, match="只有已暂停的证照可以恢复"):
            certs.resume_certificate(session, issued.identifier)


def test_revocation_is_final_and_needs_a_known_reason(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        issued = issue_example(session, store, ID_CARD)
        with pytest.raises(InvalidInput, match="未知的注销原因 'misplaced'") as raised:
            certs.revoke_certificate(session, issued.identifier, "misplaced")
        assert raised.value.field == "reason"
        certs.revoke_certificate(session, issued.identifier, "issued_in_error")
        with pytest.raises(certs.StatusConflict, match="错误签发"):
            certs.revoke_certificate(session, issued.identifier, "lost")
        with pytest.raises(certs.StatusConflict):
            certs.resume_certificate(session, issued.identifier)


def test_replace_makes_version_two_and_revokes_version_one(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        old = issue_example(session, store, ELDERLY_CARD)
        new = certs.replace_certificate(
            session,
            store,
            old.identifier,
            face_data={
                **certs.cert_type(ELDERLY_CARD).example,
                "address": "山东省济南市市中区经四路1号",
            },
            now=NOW,
        )
        assert new.version == 2
        assert new.identifier.split(".")[-3:-1] == [old.identifier.split(".")[-3], "002"]
        previous = certs.get_certificate(session, old.identifier)
        assert previous.status is certs.CertStatus.REVOKED
        assert previous.revocation_reason is certs.RevocationReason.SUPERSEDED
        assert previous.superseded_by == new.identifier
        served = _served(session, store, old)
        assert (served.get(old.status_index), served.get(new.status_index)) == (1, 0)
    disclosed = {d.name: d.value for d in parse_sd_jwt(new.credential).disclosures}
    assert disclosed["address"] == "山东省济南市市中区经四路1号"
    assert disclosed["certificate_id"] == new.identifier  # its version part is 002


def test_expiry_is_computed_from_the_last_valid_day(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        issued = issue_example(session, store, ID_CARD)
        row = certs.get_certificate(session, issued.identifier)
        last_day = dt.datetime(2046, 11, 28, 15, 59, tzinfo=dt.UTC)  # 23:59 in Beijing
        assert certs.effective_status(row, last_day) is certs.CertStatus.ISSUED
        after = last_day + dt.timedelta(minutes=1)
        assert certs.effective_status(row, after) is certs.CertStatus.EXPIRED


def test_a_full_list_is_followed_by_the_next(
    db: Database, store: KeyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("certfree.certs.statuslists.LIST_SIZE", 2)
    with db.session() as session:
        issued = [issue_example(session, store, ID_CARD) for _ in range(3)]
    assert [i.status_list_uri[-1] for i in issued] == ["1", "1", "2"]
    assert {issued[0].status_index, issued[1].status_index} == {0, 1}  # the list, in any order
    assert issued[2].status_index in {0, 1}


def test_unknown_identifier_and_list_are_not_found(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        issued = issue_example(session, store, ID_CARD)
        missing = make_cert_id(ID_CARD, issued.issuer_uscc, "0000000009", 1)
        with pytest.raises(certs.CertificateNotFound, match="没有标识为"):
            certs.get_certificate(session, missing)
        with pytest.raises(InvalidIdentifier, match="check character"):
            certs.get_certificate(session, issued.identifier[:-1] + "Z")
        with pytest.raises(certs.StatusListNotFound, match="第 7 号状态列表"):
            certs.signed_status_list(session, store, issued.issuer_uscc, 7)
