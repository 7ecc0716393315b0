"""Fixtures for the e-certificate domain: a holder key and the node's key store."""

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
