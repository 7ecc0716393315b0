"""Shared fixtures: a real database per test (SQLite file, or a database of its own when
``CERTFREE_DATABASE_URL`` points at PostgreSQL), settings, keys and an API client.

Every test runs in its own empty working directory (its ``tmp_path``) with no ``CERTFREE_*``
variable of the user's shell but the database URL, so nothing it does reads or writes the
checkout's ``var/`` (a node, a cluster or a demo the user left there)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from certfree.app import create_app
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.crypto import KeyStore
from certfree.demo import register_demo_nodes
from certfree.settings import Settings
from certfree.storage import Database
from factories.databases import fresh_database_url, migrated_database_url

VECTORS = Path(__file__).parent / "vectors"

# No timing assertions: the machines that run the suite are shared and noisy, and Hypothesis's
# per-example deadline and its "too slow" health check are timing assertions.
hypothesis_settings.register_profile(
    "certfree", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("certfree")
TEST_PASSPHRASE = "test-passphrase-not-secret"
# scrypt cost of the keys tests make: sealing at the production cost (2^15) takes ~0.1 s per
# key, and tests make hundreds. Opening reads the cost from the key file (tested at 2^15 in
# tests/unit/crypto).
TEST_SCRYPT_N = 2**4


def load_vectors(name: str) -> Any:
    """A standards' vector file from tests/vectors/."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session", autouse=True)
def _test_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No ``CERTFREE_*`` of the user's shell reaches a test but the database URL (which picks
    SQLite or PostgreSQL), and HOME is empty (a holder's wallet lives under it); keys are
    sealed at the test cost. So for this process and the CLI runs and node processes tests
    start."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("CERTFREE_") and name != "CERTFREE_DATABASE_URL":
                patch.delenv(name)
        patch.setenv("CERTFREE_KEY_SCRYPT_N", str(TEST_SCRYPT_N))
        # The CLI speaks its default language (Chinese) whatever the user's locale; tests of
        # English pass --lang en or CERTFREE_LANG=en.
        for name in ("LC_ALL", "LC_MESSAGES"):
            patch.delenv(name, raising=False)
        patch.setenv("LANG", "C.UTF-8")
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        # Module and session fixtures, set up outside any test, start from an empty directory
        # too (each test then moves to its own, below).
        patch.chdir(tmp_path_factory.mktemp("cwd"))
        yield


@pytest.fixture(autouse=True)
def _working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in its own empty directory: relative defaults (``var/…``) land there."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A URL for an empty database (no tables) that only this test uses."""
    with fresh_database_url(tmp_path, "empty.db") as url:
        yield url


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A URL for a database at the newest schema revision that only this test uses."""
    with migrated_database_url(tmp_path) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The test's database (``database_url``), at the newest schema revision."""
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def demo_registry(db: Database) -> None:
    """The demo province's nodes in the test's registry: a node issues certificates only as
    one of its registered department nodes, as it does after ``certfree demo init``."""
    with db.session() as session:
        register_demo_nodes(session)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        key_dir=tmp_path / "keys",
        key_passphrase=TEST_PASSPHRASE,
        node_code="370000",
        node_name="山东省大数据局",
        node_level="province",
        key_scrypt_n=TEST_SCRYPT_N,
    )


@pytest.fixture
def keys(settings: Settings) -> KeyStore:
    store = settings.key_store()
    store.create(NODE_KEY_OWNER)
    store.encryption.create(NODE_KEY_OWNER)
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
