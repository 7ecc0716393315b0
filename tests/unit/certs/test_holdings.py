"""The certificate types a holder has in the base library: issued and valid today, nothing
suspended, revoked, not yet valid or expired, and only their own."""

from __future__ import annotations

import datetime as dt

from certfree import certs
from certfree.crypto import KeyStore
from certfree.procedures import Subject, SubjectKind
from certfree.storage import Database
from factories.certificates import BUSINESS_LICENCE, ELDERLY_CARD, ID_CARD, NOW, issue_example


def _person(id_number: str) -> Subject:
    return Subject(SubjectKind.PERSON, id_number)


def test_a_holder_holds_what_was_issued_to_them_and_valid(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        card = issue_example(session, store, ID_CARD)
        elderly = issue_example(session, store, ELDERLY_CARD, id_number=card.holder_id)
        licence = issue_example(session, store, BUSINESS_LICENCE)
        holdings = certs.LibraryHoldings(session, now=NOW)
        assert holdings.held_types(_person(card.holder_id)) == {ID_CARD, ELDERLY_CARD}
        assert holdings.held_types(Subject(SubjectKind.ORGANISATION, licence.holder_id)) == {
            BUSINESS_LICENCE
        }
        assert holdings.held_types(_person("110105194912310038")) == frozenset()
        the_day_before = NOW - dt.timedelta(days=1)
        assert (
            certs.LibraryHoldings(session, now=the_day_before).held_types(_person(card.holder_id))
            == frozenset()
        )
        certs.suspend_certificate(session, elderly.identifier, now=NOW)
        certs.revoke_certificate(session, card.identifier, "lost", now=NOW)
        assert holdings.held_types(_person(card.holder_id)) == frozenset()


def test_an_expired_certificate_is_not_held(db: Database, store: KeyStore) -> None:
    with db.session() as session:
        card = issue_example(session, store, ID_CARD)
        row = certs.get_certificate(session, card.identifier)
        assert row.valid_to is not None
        after = dt.datetime.combine(row.valid_to, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(days=1)
        assert (
            certs.LibraryHoldings(session, now=after).held_types(_person(card.holder_id))
            == frozenset()
        )
