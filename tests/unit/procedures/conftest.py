"""Fixtures for the service-item tests: a demo province with the demo proof list and items.

``province`` is built once per module (1,000 citizens, 50 firms) as the Jinan city node sees
it: its department nodes active in the registry with endpoints, and the city node holding the
demo sharing grants at each of them. Its tests only read it, or issue certificates to people
no other test uses; tests that change the catalogue use the per-test ``db`` fixture with
:func:`catalogue`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from certfree import certs, procedures
from certfree.crypto import Alg, KeyStore, generate_signer
from certfree.demo import build_demo_province, load_demo_items
from certfree.demo.pilot_grants import load_demo_grants
from certfree.exchange.questions.coverage import ExchangeFactSource
from certfree.nodes import Node, NodeStatus
from certfree.population import SEX_ZH, Person
from certfree.storage import Database, migrate
from conftest import TEST_PASSPHRASE, TEST_SCRYPT_N
from factories.databases import fresh_database_url

MARRIAGE = "371A0101000000-370100000000-000-113701000100000206-1-00"
HOUSEHOLD = "371A0201000000-370100000000-000-11370100010000012B-1-00"
REAL_ESTATE = "371A0301000000-370100000000-000-11370100010000055Q-1-00"
ELDERLY_CARD = "371C0401000000-370100000000-000-11370100010000063K-1-00"
BUSINESS = "371A0501000000-370100000000-000-11370100010000047X-1-00"
FIRE_SAFETY = "371A0601000000-370100000000-000-113701000100011970-1-00"

ID_CARD = "11100000000013047R001"
HOUSEHOLD_BOOK = "11100000000013047R002"
DRIVING_LICENCE = "11100000000013047R003"
MARRIAGE_CERT = "111000000000132071001"
PROPERTY_CERT = "111000000000139016001"
BUSINESS_LICENCE = "111000000000141036001"
ELDERLY_CERT = "11100000000013709K001"

CITY = "370100"  # the node that resolves routes (the consumer of every question)
DEPARTMENTS = tuple(f"370100-{kind}" for kind in ("MZ", "GA", "ZR", "SW", "SJ", "WJ", "RS"))


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with fresh_database_url(tmp_path_factory.mktemp("province")) as url:
        database = Database(url)
        migrate.upgrade(database)
        build_demo_province(database, citizens=1000, firms=50, seed=1)
        with database.session() as session:
            load_demo_items(session, "tester")
            for code in DEPARTMENTS:
                node = session.get(Node, code)
                assert node is not None, code
                node.status = NodeStatus.ACTIVE
                node.endpoint_url = f"https://{code.lower()}.nodes.example.test"
            load_demo_grants(session, [CITY], DEPARTMENTS)
        yield database
        database.dispose()


@pytest.fixture
def catalogue(db: Database) -> Database:
    """A fresh database with the demo proof list and the demo service items (no population)."""
    with db.session() as session:
        load_demo_items(session, "tester")
    return db


@pytest.fixture(scope="module")
def library_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    """The issuing organs' seal keys for certificates issued into ``province``'s library."""
    return KeyStore(tmp_path_factory.mktemp("keys"), TEST_PASSPHRASE, scrypt_n=TEST_SCRYPT_N)


def resolve(
    session: Session,
    code: str,
    applicant: str,
    *,
    consumer: str = CITY,
    hosted: frozenset[str] = frozenset(),
    **parties: str,
) -> procedures.RouteReport:
    """The routes as node ``consumer`` plans them, from its grants, registry and library."""
    return procedures.resolve_routes(
        session,
        code,
        applicant,
        parties=parties,
        facts=ExchangeFactSource(session, consumer, hosted=hosted),
        holdings=certs.LibraryHoldings(session),
    )


def hand_id_card(session: Session, keys: KeyStore, person: Person) -> None:
    """Issue ``person`` their resident ID card into the library, sealed to a wallet key."""
    face = {
        **certs.cert_type(ID_CARD).example,
        "name": person.name,
        "sex": SEX_ZH[person.sex],
        "birth_date": person.birth_date.isoformat(),
        "id_number": person.id_number,
    }
    certs.issue_certificate(
        session,
        keys,
        type_code=ID_CARD,
        holder_id=person.id_number,
        face_data=face,
        holder_jwk=generate_signer(Alg.ES256).public_jwk(),
    )
