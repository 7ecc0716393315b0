"""Outside development a node refuses development secrets and missing keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from certfree.crypto import KeyStore
from certfree.crypto.envelope import SCRYPT_N
from certfree.crypto.tls import development_tls
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
    Settings(
        **{**settings.model_dump(), "parent_url": "http://p/", **_tls(tmp_path, "y" * 24)}
    ).check_production_ready()


def _tls(directory: Path, passphrase: str) -> dict[str, Path]:
    """TLS settings of a node: files from a CA of the test's own."""
    files = development_tls(directory / "tls", "370100", ["127.0.0.1"], passphrase)
    return {"tls_cert": files.cert, "tls_key": files.key, "tls_ca": files.ca}


def test_production_needs_tls_files_it_can_open(tmp_path: Path) -> None:
    """A production node makes no certificates: it names the setting to set, and refuses a key
    its passphrase does not open."""
    KeyStore(tmp_path, "y" * 24).create("node")
    settings = Settings(
        environment="production", key_dir=tmp_path, key_passphrase="y" * 24, key_scrypt_n=SCRYPT_N
    )
    with pytest.raises(ConfigurationError, match="CERTFREE_TLS_CERT is not set") as refused:
        settings.check_production_ready()
    assert refused.value.field == "tls_cert"
    files = _tls(tmp_path / "given", "y" * 24)
    partial = Settings(**{**settings.model_dump(), "tls_cert": files["tls_cert"]})
    with pytest.raises(ConfigurationError, match="CERTFREE_TLS_KEY is not set"):
        partial.check_production_ready()
    other_key = _tls(tmp_path / "other", "z" * 24)["tls_key"]
    wrong = Settings(**{**settings.model_dump(), **files, "tls_key": other_key})
    with pytest.raises(ConfigurationError, match="cannot load the node's TLS files"):
        wrong.check_production_ready()
    Settings(**{**settings.model_dump(), **files}).check_production_ready()
    assert not (tmp_path / "tls").exists()  # nothing made in the node's key directory


def test_a_development_node_makes_its_tls_files_once(tmp_path: Path) -> None:
    settings = Settings(key_dir=tmp_path, public_url="https://certs.example.cn", port=8000)
    assert settings.exchange_url == "https://certs.example.cn:8001"
    files = settings.tls_files()
    assert files.cert == tmp_path / "tls" / "node.pem"
    assert files.password == settings.key_passphrase
    made = files.cert.read_bytes()
    assert settings.tls_files() == files
    assert files.cert.read_bytes() == made
    moved = Settings(key_dir=tmp_path, exchange_port=9443)
    assert moved.exchange_url == "https://127.0.0.1:9443"


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
