"""The catalog cascade with real node processes (``certfree cluster up``): 济南 (370100)
adds, edits and deletes resources; ``certfree catalog harvest --all`` at the province takes
the changes over HTTP; a search at the province finds the city's resource with its origin and
no longer the deleted one. Meanwhile one department node is killed (connection refused) and
another frozen with SIGSTOP (connects, never answers): both are reported within the timeouts
and harvested on the next run once the frozen one runs again."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from certfree.auth import TokenService
from certfree.cli.catalog_harvest import register
from certfree.crypto import KeyStore
from certfree.demo.cluster import cluster_up
from certfree.demo.cluster_desk import node_settings
from certfree.demo.cluster_processes import alive, cluster_down
from factories.catalog_resources import resource_data

pytestmark = pytest.mark.slow

PROVINCE, CITY, KILLED, FROZEN = "370000", "370100", "370000-MZ", "370100-MZ"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("catalog-cluster")
    manifest = cluster_up(directory, cities=1, departments=["MZ"], citizens=1000, seed=5)
    try:
        yield manifest
    finally:
        frozen = int(manifest["nodes"][FROZEN]["pid"])
        os.kill(frozen, signal.SIGCONT)  # a stopped process would not act on SIGTERM
        cluster_down(directory, grace=3)


def _headers(cluster: dict[str, Any], code: str, role: str, org: str | None = None) -> Any:
    settings = node_settings(cluster["nodes"][code], code)
    tokens = TokenService(settings, KeyStore(settings.key_dir, settings.key_passphrase))
    return {"Authorization": f"Bearer {tokens.issue(role, 'tester', organisation=org)}"}


def _harvest(cluster: dict[str, Any]) -> tuple[int, dict[str, dict[str, Any]], float]:
    app = typer.Typer()
    register(app)
    app.command("noop", hidden=True)(lambda: None)  # a group, so that "harvest" is a command
    env = json.loads((Path(cluster["nodes"][PROVINCE]["dir"]) / "env.json").read_text())
    started = time.monotonic()
    result = CliRunner().invoke(app, ["harvest", "--all", "--json"], env=env)
    elapsed = time.monotonic() - started
    reports = {r["node"]: r for r in json.loads(result.stdout)}
    return result.exit_code, reports, elapsed


def _search(cluster: dict[str, Any], text: str) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{cluster['nodes'][PROVINCE]['url']}/api/v1/catalog/match",
        json={"text": text, "top": 5},
        headers=_headers(cluster, PROVINCE, "bureau_admin"),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_the_province_harvests_real_nodes_and_reports_the_down_ones(
    cluster: dict[str, Any],
) -> None:
    city = cluster["nodes"][CITY]["url"]
    admin = _headers(cluster, CITY, "bureau_admin")
    codes = []
    for name in ("婚姻登记信息", "收养登记信息", "殡葬服务机构名录"):
        created = httpx.post(f"{city}/api/v1/catalog/resources", headers=admin, timeout=30,
                             json=resource_data(name=name))  # fmt: skip
        assert created.status_code == 201, created.text
        codes.append(created.json()["code"])
    edited = httpx.patch(f"{city}/api/v1/catalog/resources/{codes[1]}", headers=admin,
                         json={"name": "收养登记档案信息"}, timeout=30)  # fmt: skip
    assert edited.status_code == 200, edited.text
    deleted = httpx.delete(f"{city}/api/v1/catalog/resources/{codes[2]}", headers=admin,
                           timeout=30)  # fmt: skip
    assert deleted.status_code == 204
    killed = int(cluster["nodes"][KILLED]["pid"])
    os.kill(killed, signal.SIGTERM)
    os.kill(int(cluster["nodes"][FROZEN]["pid"]), signal.SIGSTOP)
    deadline = time.monotonic() + 10  # wait for the exit (its port closed), not a fixed time
    while alive(killed) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(killed)

    status, reports, elapsed = _harvest(cluster)

    assert status == 1  # not every node was harvested
    assert elapsed < 15  # the frozen node costs one timeout, not a hang
    assert reports[CITY]["status"] == "ok"
    assert (reports[CITY]["created"], reports[CITY]["deleted"]) == (2, 0)
    assert reports[KILLED]["status"] == "unreachable"
    assert "无法连接" in reports[KILLED]["reason"]
    assert reports[FROZEN]["status"] == "unreachable"
    # Its kernel still accepts the connection, but the TLS handshake of its exchange listener
    # needs the process: the harvest gives up connecting.
    assert "连接超时" in reports[FROZEN]["reason"]
    found = _search(cluster, "婚姻登记")
    assert (found[0]["name"], found[0]["code"], found[0]["origin_node"]) == (
        "婚姻登记信息", codes[0], CITY,
    )  # fmt: skip
    assert _search(cluster, "收养档案")[0]["name"] == "收养登记档案信息"
    assert all(c["name"] != "殡葬服务机构名录" for c in _search(cluster, "殡葬服务机构"))

    os.kill(int(cluster["nodes"][FROZEN]["pid"]), signal.SIGCONT)
    gone = httpx.delete(f"{city}/api/v1/catalog/resources/{codes[0]}", headers=admin,
                        timeout=30)  # fmt: skip
    assert gone.status_code == 204
    _, again, _ = _harvest(cluster)

    assert again[FROZEN]["status"] == "ok"
    assert (again[CITY]["deleted"], again[CITY]["created"]) == (1, 0)
    assert all(c["name"] != "婚姻登记信息" for c in _search(cluster, "婚姻登记"))
