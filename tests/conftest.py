"""Shared fixtures: a real database per test (SQLite file, or a fresh PostgreSQL schema when
``CERTFREE_DATABASE_URL`` points at PostgreSQL), settings, keys and an API client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree.app import create_app
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.crypto import KeyStore
from certfree.settings import Settings
from certfree.storage import Database, migrate
from factories.databases import fresh_database_url

VECTORS = Path(__file__).parent / "vectors"
TEST_PASSPHRASE = "test-passphrase-not-secret"


def load_vectors(name: str) -> Any:
    """A standards' vector file from tests/vectors/."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A URL for an empty database that only this test uses."""
    with fresh_database_url(tmp_path) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database at the newest schema revision."""
    database = Database(database_url)
    migrate.upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        key_dir=tmp_path / "keys",
        key_passphrase=TEST_PASSPHRASE,
        node_code="370000",
        node_name="山东省大数据局",
        node_level="province",
    )


@pytest.fixture
def keys(settings: Settings) -> KeyStore:
    store = KeyStore(settings.key_dir, settings.key_passphrase)
    store.create(NODE_KEY_OWNER)
    return store


@pytest.fixture
def client(settings: Settings, db: Database, keys: KeyStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def token_for(client: TestClient) -> Any:
    """Issue a bearer header for a role and subject: ``token_for("clerk", "staff-1")``."""
    node = client.app.state.node  # type: ignore[attr-defined]

    def _issue(role: str, subject: str = "tester") -> dict[str, str]:
        return {"Authorization": f"Bearer {node.tokens.issue(role, subject)}"}

    return _issue
