"""Fixtures for the e-certificate domain: a holder key, the node's key store, and the demo
province's organs registered wherever a test has a database."""

from __future__ import annotations

import pytest

from certfree.crypto import Jwk, KeyStore
from certfree.settings import Settings
from factories.certificates import holder_key


@pytest.fixture
def holder_jwk() -> Jwk:
    return holder_key()


@pytest.fixture
def store(settings: Settings) -> KeyStore:
    """The node's key store, with no issuer keys yet."""
    return settings.key_store()


@pytest.fixture(autouse=True)
def _issuing_organs(request: pytest.FixtureRequest) -> None:
    """A test with the node's database (``db``, also behind ``client``) issues as the demo
    province's department nodes, registered in it first (``demo_registry``)."""
    if "db" in request.fixturenames:
        request.getfixturevalue("demo_registry")
