"""Fixtures for the service-item tests: a demo province with the demo proof list and items.

``province`` is built once per module (1,000 citizens, 50 firms) and only read by its tests;
tests that change the catalogue use the per-test ``db`` fixture with :func:`catalogue`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from certfree.demo import build_demo_province, load_demo_items
from certfree.storage import Database, migrate
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


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with fresh_database_url(tmp_path_factory.mktemp("province")) as url:
        database = Database(url)
        migrate.upgrade(database)
        build_demo_province(database, citizens=1000, firms=50, seed=1)
        with database.session() as session:
            load_demo_items(session, "tester")
        yield database
        database.dispose()


@pytest.fixture
def catalogue(db: Database) -> Database:
    """A fresh database with the demo proof list and the demo service items (no population)."""
    with db.session() as session:
        load_demo_items(session, "tester")
    return db
