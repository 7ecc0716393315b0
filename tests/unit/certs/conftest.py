"""Fixtures for the e-certificate domain: a holder key, the node's key store, and the demo
province's organs registered wherever a test has a database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

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


class _Borrowed:
    """``with httpx.Client() as c`` handing out the test client without closing it."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def __enter__(self) -> TestClient:
        return self.client

    def __exit__(self, *_: object) -> None:
        return None


@pytest.fixture
def cli_on_node(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """``certfree certs`` commands talk to the node itself, in process (TestClient is an
    httpx.Client)."""
    monkeypatch.setattr("certfree.cli.certs_verify.httpx.Client", lambda **_: _Borrowed(client))
    return client
