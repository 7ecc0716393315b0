"""A small demo province, built once per test module (2,000 citizens, 200 firms)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from certfree.demo import DemoSummary, build_demo_province
from certfree.storage import Database, migrate
from factories.databases import fresh_database_url
from factories.demo import AS_OF, CITIZENS, FIRMS, SEED


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    with fresh_database_url(tmp_path_factory.mktemp("demo")) as url:
        db = Database(url)
        migrate.upgrade(db)
        summary = build_demo_province(db, citizens=CITIZENS, firms=FIRMS, seed=SEED, as_of=AS_OF)
        yield db, summary
        db.dispose()


@pytest.fixture(scope="module")
def demo_db(built: tuple[Database, DemoSummary]) -> Database:
    return built[0]
