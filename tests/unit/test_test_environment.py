"""The suite never sees the checkout's var/ nor the user's CERTFREE_* settings (tests/conftest.py):
a cluster, a demo or a node the user left behind cannot change what a test sees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from certfree.settings import Settings


def test_each_test_runs_in_an_empty_directory_of_its_own(tmp_path: Path) -> None:
    assert Path.cwd() == tmp_path
    assert list(tmp_path.iterdir()) == []


def test_relative_defaults_resolve_inside_the_test_directory(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.key_dir.resolve().is_relative_to(tmp_path)
    database = settings.database_url.removeprefix("sqlite:///")
    assert Path(database).resolve().is_relative_to(tmp_path)


def test_no_certfree_variable_of_the_shell_reaches_a_test() -> None:
    seen = {name for name in os.environ if name.startswith("CERTFREE_")}
    assert seen <= {"CERTFREE_DATABASE_URL", "CERTFREE_KEY_SCRYPT_N"}


def test_home_is_empty_so_no_wallet_of_the_user_is_seen() -> None:
    assert not (Path.home() / ".certfree").exists()
    assert Path.home().resolve() != Path("/root").resolve()


@pytest.fixture(scope="module")
def module_directory() -> Path:
    return Path.cwd()


def test_module_fixtures_start_outside_the_checkout(module_directory: Path) -> None:
    checkout = Path(__file__).resolve().parents[2]
    assert not module_directory.resolve().is_relative_to(checkout)
    assert not (module_directory / "var").exists()
