"""A template issues as is on a node with population data as on a pure issuing node."""

from __future__ import annotations

import datetime as dt

import pytest

from certfree import certs
from certfree.certs.templates import example_face_for
from certfree.crypto import Jwk, KeyStore
from certfree.storage import Database
from factories.population import firm, person


@pytest.mark.parametrize("code", sorted(certs.cert_types()))
def test_a_template_names_a_registered_holder_and_issues(
    db: Database, store: KeyStore, holder_jwk: Jwk, code: str
) -> None:
    kind = certs.cert_type(code)
    assert kind.holder_field is not None
    with db.session() as session:
        young = person(session, name="李青", birth=dt.date(1996, 4, 2))
        old = person(session, name="王长寿", birth=dt.date(1951, 8, 20))
        registered = firm(session, representative=young)
        face = example_face_for(session, kind)
        holder = face[kind.holder_field]
        assert holder in {young.id_number, old.id_number, registered.uscc}
        issued = certs.issue_certificate(
            session, store, type_code=code, holder_id=holder, face_data=face,
            holder_jwk=holder_jwk,
        )  # fmt: skip
    assert issued.holder_id == holder


def test_without_registers_the_catalogue_example_is_kept(db: Database) -> None:
    kind = certs.cert_type("11100000000013709K001")
    with db.session() as session:
        assert example_face_for(session, kind) == kind.example
