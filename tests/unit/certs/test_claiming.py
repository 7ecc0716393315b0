"""A holder claims a backfilled certificate: the next version carries their key in ``cnf``."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from certfree import certs
from certfree.certs.issuance import seal_certificate
from certfree.crypto import (
    Alg,
    KeyStore,
    Signer,
    generate_signer,
    jwk_thumbprint,
    parse_sd_jwt,
    present_sd_jwt,
    verify_status_list_token,
)
from certfree.errors import InvalidInput
from certfree.storage import Database
from factories.certificates import ELDERLY_CARD, NOW, example_face, issue_example

HOLDER = "370102195803150139"  # the elderly card's catalogue example
PAPER_ERA = certs.Validity(dt.date(2018, 6, 1), None)
GATE = "https://gate.taishan.example"


def backfilled(session: Session, keys: KeyStore) -> certs.Certificate:
    """An elderly card sealed as backfill seals a paper-era record: no holder key."""
    kind = certs.cert_type(ELDERLY_CARD)
    return seal_certificate(
        session, keys, kind=kind, issuer=certs.resolve_issuer(session, kind, None),
        holder_id=HOLDER, face=example_face(ELDERLY_CARD), holder_jwk=None,
        validity=PAPER_ERA, moment=NOW, base_url=certs.DEFAULT_BASE_URL,
    )  # fmt: skip


@pytest.fixture
def holder() -> Signer:
    return generate_signer(Alg.ES256)


def test_claiming_seals_the_next_version_with_the_holders_key(
    db: Database, store: KeyStore, holder: Signer
) -> None:
    with db.session() as session:
        old = backfilled(session, store)
        assert "cnf" not in parse_sd_jwt(old.credential).payload
        claimed = certs.claim_certificate(
            session, store, old.identifier, holder.public_jwk(), holder_id=HOLDER.lower(), now=NOW
        )
    payload = parse_sd_jwt(claimed.credential).payload
    assert jwk_thumbprint(payload["cnf"]["jwk"]) == jwk_thumbprint(holder.public_jwk())
    assert (claimed.version, claimed.identifier.split(".")[-2]) == (2, "002")
    assert payload["status"]["status_list"]["idx"] == claimed.status_index
    assert claimed.identifier.split(".")[-3] == old.identifier.split(".")[-3]  # same serial
    assert (claimed.valid_from, claimed.valid_to) == (PAPER_ERA.valid_from, None)
    with db.session() as session:
        before = certs.get_certificate(session, old.identifier)
        assert before.status is certs.CertStatus.REVOKED
        assert before.revocation_reason is certs.RevocationReason.SUPERSEDED
        assert before.superseded_by == claimed.identifier
        signed = certs.signed_status_list(session, store, claimed.issuer_uscc, 1, now=NOW)
    served = verify_status_list_token(
        signed.token,
        lambda header, _: store.public_jwk(header["kid"]),
        expected_uri=claimed.status_list_uri,
        now=int(NOW.timestamp()),
    )
    assert (served.get(old.status_index), served.get(claimed.status_index)) == (1, 0)


def test_the_claimed_certificate_can_be_shown_with_key_binding(
    db: Database, store: KeyStore, holder: Signer
) -> None:
    with db.session() as session:
        old = backfilled(session, store)
        claimed = certs.claim_certificate(
            session, store, old.identifier, holder.public_jwk(), holder_id=HOLDER
        )
    shown = present_sd_jwt(claimed.credential, ["age_over_60"], holder, audience=GATE, nonce="n")
    with db.session() as session:
        result = certs.verify_presentation(
            shown,
            trust=certs.TrustList.from_keystore(store),
            status_lists=certs.StatusLists.from_database(session, store),
            audience=GATE,
            nonce="n",
        )
    assert result.valid, result.failed
    assert result.claims["age_over_60"] is True


def test_only_the_holder_may_claim(db: Database, store: KeyStore, holder: Signer) -> None:
    with db.session() as session:
        old = backfilled(session, store)
        with pytest.raises(certs.NotCertificateHolder, match="不属于 11010519491231002X") as err:
            certs.claim_certificate(
                session, store, old.identifier, holder.public_jwk(), holder_id="11010519491231002X"
            )
    assert err.value.status == 403


def test_a_private_key_is_refused_before_anything_is_sealed(
    db: Database, store: KeyStore, holder: Signer
) -> None:
    private = {**holder.public_jwk(), "d": "c2VjcmV0LW5vdC1yZWFsbHk"}
    with db.session() as session:
        old = backfilled(session, store)
        with pytest.raises(InvalidInput, match="私钥") as err:
            certs.claim_certificate(session, store, old.identifier, private, holder_id=HOLDER)
        assert err.value.field == "holder_jwk"
        assert certs.get_certificate(session, old.identifier).version == 1


def test_a_certificate_with_a_key_is_not_claimed_again(
    db: Database, store: KeyStore, holder: Signer
) -> None:
    with db.session() as session:
        issued = issue_example(session, store, ELDERLY_CARD)
        with pytest.raises(certs.HolderKeyAlreadyBound, match="已绑定持证人密钥") as err:
            certs.claim_certificate(
                session, store, issued.identifier, holder.public_jwk(), holder_id=HOLDER
            )
        assert err.value.status == 409
        old = backfilled(session, store)
        claimed = certs.claim_certificate(
            session, store, old.identifier, holder.public_jwk(), holder_id=HOLDER
        )
        with pytest.raises(certs.HolderKeyAlreadyBound):
            certs.claim_certificate(
                session, store, claimed.identifier, holder.public_jwk(), holder_id=HOLDER
            )
        with pytest.raises(certs.StatusConflict, match=f"已换发为 {claimed.identifier}"):
            certs.claim_certificate(
                session, store, old.identifier, holder.public_jwk(), holder_id=HOLDER
            )


@pytest.mark.parametrize(
    ("change", "message"),
    [("suspend", "已暂停"), ("revoke", "已注销")],
    ids=["suspended", "revoked"],
)
def test_a_suspended_or_revoked_certificate_is_not_claimed(
    db: Database, store: KeyStore, holder: Signer, change: str, message: str
) -> None:
    with db.session() as session:
        old = backfilled(session, store)
        if change == "suspend":
            certs.suspend_certificate(session, old.identifier)
        else:
            certs.revoke_certificate(session, old.identifier, "lost")
        with pytest.raises(certs.StatusConflict, match=message):
            certs.claim_certificate(
                session, store, old.identifier, holder.public_jwk(), holder_id=HOLDER
            )
