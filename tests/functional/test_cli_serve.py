"""The commands a new user types, run as real processes: upgrade, token, serve, call."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from helpers.livenode import free_port
from helpers.serving import CERTFREE, served_node

pytestmark = pytest.mark.slow  # a process start per command (imports take a second or more)


@pytest.fixture
def node_env(tmp_path: Path, empty_database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFREE_")}
    env.update(
        CERTFREE_DATABASE_URL=empty_database_url,
        CERTFREE_KEY_DIR=str(tmp_path / "keys"),
        CERTFREE_NODE_CODE="370100",
        CERTFREE_NODE_NAME="济南市大数据局",
        CERTFREE_NODE_LEVEL="city",
    )
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command with fixed arguments
        [*CERTFREE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def served(node_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    assert run(node_env, "db", "upgrade").returncode == 0
    with served_node(node_env, free_port(), tmp_path / "serve.log") as base:
        yield base


def test_serve_then_call_with_an_issued_token(served: str, node_env: dict[str, str]) -> None:
    identity = httpx.get(f"{served}/api/v1/node").json()
    assert identity["code"] == "370100"
    assert identity["level"] == "city"
    assert identity["active_key_id"]  # development serve created the node key

    issued = run(node_env, "tokens", "issue", "--role", "clerk", "--subject", "staff-001")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    who = httpx.get(f"{served}/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert who.json()["subject"] == "staff-001"


def test_cli_errors_say_what_to_fix(node_env: dict[str, str]) -> None:
    bad_role = run(node_env, "tokens", "issue", "--role", "janitor", "--subject", "x")
    assert bad_role.returncode == 1
    assert "unknown role 'janitor'" in bad_role.stderr
    bad_level = run({**node_env, "CERTFREE_NODE_LEVEL": "village"}, "db", "current")
    assert bad_level.returncode == 2
    assert "CERTFREE_NODE_LEVEL" in bad_level.stderr


def test_production_node_refuses_development_passphrase(node_env: dict[str, str]) -> None:
    result = run({**node_env, "CERTFREE_ENVIRONMENT": "production"}, "serve")
    assert result.returncode == 1
    assert "CERTFREE_KEY_PASSPHRASE" in result.stderr
