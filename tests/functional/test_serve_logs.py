"""``certfree serve`` as a real process: its log (uvicorn's access lines included) never shows
a raw resident ID number, even when one is in the path a client asked for."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from helpers.livenode import free_port
from helpers.serving import CERTFREE, served_node

pytestmark = pytest.mark.slow  # a process start per command

ID = "370102199003070029"


def test_the_access_log_masks_id_numbers(tmp_path: Path, empty_database_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFREE_")}
    env.update(
        CERTFREE_DATABASE_URL=empty_database_url,
        CERTFREE_KEY_DIR=str(tmp_path / "keys"),
        CERTFREE_NODE_CODE="370100",
        CERTFREE_NODE_NAME="济南市大数据局",
        CERTFREE_NODE_LEVEL="city",
    )
    upgrade = subprocess.run(  # noqa: S603 - our own command with fixed arguments
        [*CERTFREE, "db", "upgrade"], env=env, capture_output=True, timeout=120, check=False
    )
    assert upgrade.returncode == 0, upgrade.stderr
    log = tmp_path / "serve.log"
    with served_node(env, free_port(), log) as base:
        asked = httpx.get(f"{base}/api/v1/people/{ID}", params={"again": ID})
        assert asked.status_code == 401
    text = log.read_text(encoding="utf-8")
    assert "/api/v1/people/3701**********0029?again=3701**********0029" in text
    assert ID not in text
