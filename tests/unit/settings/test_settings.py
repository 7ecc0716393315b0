"""Outside development a node refuses development secrets and missing keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from certfree.crypto import KeyStore
from certfree.errors import ConfigurationError
from certfree.settings import DEV_PASSPHRASE, Settings


def test_production_refuses_development_passphrase(tmp_path: Path) -> None:
    settings = Settings(environment="production", key_dir=tmp_path, key_passphrase=DEV_PASSPHRASE)
    with pytest.raises(ConfigurationError, match="CERTFREE_KEY_PASSPHRASE"):
        settings.check_production_ready()


def test_production_refuses_missing_keys(tmp_path: Path) -> None:
    settings = Settings(
        environment="production", key_dir=tmp_path / "none", key_passphrase="x" * 24
    )
    with pytest.raises(ConfigurationError, match="certfree keys create --owner node"):
        settings.check_production_ready()


def test_city_node_needs_parent(tmp_path: Path) -> None:
    KeyStore(tmp_path, "y" * 24).create("node")
    settings = Settings(
        environment="production",
        key_dir=tmp_path,
        key_passphrase="y" * 24,
        node_level="city",
        node_code="370100",
    )
    with pytest.raises(ConfigurationError, match="CERTFREE_PARENT_URL"):
        settings.check_production_ready()
    Settings(**{**settings.model_dump(), "parent_url": "http://p/"}).check_production_ready()


def test_environment_variables_configure_the_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERTFREE_NODE_CODE", "370200")
    monkeypatch.setenv("CERTFREE_NODE_LEVEL", "city")
    monkeypatch.setenv("CERTFREE_PARENT_URL", "http://127.0.0.1:8000/")
    settings = Settings()
    assert settings.node_code == "370200"
    assert settings.node_level == "city"
    assert settings.parent_url == "http://127.0.0.1:8000"
