"""Outside development a node refuses development secrets and missing keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from certfree.crypto import KeyStore
from certfree.crypto.envelope import SCRYPT_N
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
        key_scrypt_n=SCRYPT_N,
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


def test_production_refuses_the_test_scrypt_cost(tmp_path: Path) -> None:
    Settings(key_dir=tmp_path, key_passphrase="z" * 24).key_store().create("node")
    settings = Settings(
        environment="production", key_dir=tmp_path, key_passphrase="z" * 24, key_scrypt_n=2**10
    )
    with pytest.raises(ConfigurationError, match="CERTFREE_KEY_SCRYPT_N=1024 is below 32768"):
        settings.check_production_ready()


def test_scrypt_cost_is_a_power_of_two_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CERTFREE_KEY_SCRYPT_N")
    assert Settings().key_scrypt_n == SCRYPT_N == 2**15  # the production default
    monkeypatch.setenv("CERTFREE_KEY_SCRYPT_N", "4096")
    assert Settings().key_scrypt_n == 4096
    for bad in ("1000", "1", str(2**21)):
        monkeypatch.setenv("CERTFREE_KEY_SCRYPT_N", bad)
        with pytest.raises(ValidationError, match="key_scrypt_n"):
            Settings()


def test_hosted_departments_are_node_codes_or_star(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().hosted_departments == ()  # production default: answers for no one
    monkeypatch.setenv("CERTFREE_HOSTED_DEPARTMENTS", "370100-mz, 370100-GA,,370100-MZ")
    assert Settings().hosted_departments == ("370100-MZ", "370100-GA")
    monkeypatch.setenv("CERTFREE_HOSTED_DEPARTMENTS", "*")
    assert Settings().hosted_departments == ("*",)
    for bad in ("370100", "370100-M", "MZ"):
        monkeypatch.setenv("CERTFREE_HOSTED_DEPARTMENTS", bad)
        with pytest.raises(ValidationError, match="not a department node code such as 370100-MZ"):
            Settings()
