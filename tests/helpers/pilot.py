"""For journeys on a running demo cluster (``cluster_up``'s manifest plus its directory under
``"dir"``): people picked from its demo world, a party's wallet and what it presents, and a
node process stopped and started again."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from certfree.cli import app
from certfree.demo.cluster import ClusterNode
from certfree.demo.cluster_desk import clerk_token
from certfree.demo.cluster_processes import alive, start_node, wait_healthy
from certfree.exchange import Message
from certfree.exchange.protocol import transport
from certfree.exchange.protocol.runtime import ExchangeRuntime
from certfree.settings import Settings
from certfree.storage import Database

__all__ = ["People", "held", "restart_node", "send_as", "stop_node", "verified_at"]

runner = CliRunner()

# Living people registered in 济南; never married.
_SINGLE = """SELECT id_number FROM persons p WHERE p.deceased = 0 AND p.address_code LIKE '3701%'
    AND p.sex = ? AND p.birth_date < ? AND NOT EXISTS (SELECT 1 FROM marriages m
    WHERE m.party_a_id = p.id_number OR m.party_b_id = p.id_number) ORDER BY birth_date DESC"""
_BORN_BETWEEN = """SELECT id_number FROM persons p WHERE p.deceased = 0
    AND p.address_code LIKE '3701%' AND p.birth_date BETWEEN ? AND ? ORDER BY id_number"""
_OWNERS = """SELECT t.owner_id FROM property_titles t JOIN persons p ON p.id_number = t.owner_id
    WHERE p.deceased = 0 AND p.address_code LIKE '3701%' ORDER BY t.owner_id"""
# An owner of a home in 济南 and another adult of their household.
_HOST_AND_RELATIVE = """SELECT t.owner_id, p.id_number FROM property_titles t
    JOIN persons h ON h.id_number = t.owner_id
    JOIN persons p ON p.household_no = h.household_no AND p.id_number <> h.id_number
    WHERE h.deceased = 0 AND p.deceased = 0 AND h.address_code LIKE '3701%'
    AND p.birth_date < ? ORDER BY t.owner_id"""


def _born_before(years: int) -> str:
    today = dt.date.today()
    return today.replace(year=today.year - years).isoformat()


class People:
    """People of the cluster's demo world (its template database, as every node started),
    each given to one journey only."""

    def __init__(self, directory: Path) -> None:
        self.template = directory / "template.db"
        self.taken: set[str] = set()

    def _take(self, sql: str, *params: Any) -> list[str]:
        with sqlite3.connect(self.template) as world:
            for row in world.execute(sql, params):
                people = [str(v) for v in row]
                if not self.taken & set(people) and len(set(people)) == len(people):
                    self.taken.update(people)
                    return people
        raise AssertionError(f"the demo world has no such people: {sql}")

    def single(self, sex: str) -> str:
        return self._take(_SINGLE, sex, _born_before(22))[0]

    def adults(self, count: int) -> list[str]:
        between = (_born_before(59), _born_before(25))
        return [self._take(_BORN_BETWEEN, *between)[0] for _ in range(count)]

    def elder(self) -> str:
        return self._take(_BORN_BETWEEN, "1900-01-01", _born_before(61))[0]

    def owner(self) -> str:
        return self._take(_OWNERS)[0]

    def host_and_relative(self) -> tuple[str, str]:
        """An owner of a home and an adult of their household."""
        host, relative = self._take(_HOST_AND_RELATIVE, _born_before(18))
        return host, relative

    def household_of(self, person: str) -> str:
        with sqlite3.connect(self.template) as world:
            row = world.execute(
                "SELECT household_no FROM persons WHERE id_number = ?", (person,)
            ).fetchone()
        return str(row[0])


def _wallet(cluster: dict[str, Any], person: str) -> str:
    return str(Path(cluster["dir"]) / "wallets" / person)


def held(cluster: dict[str, Any], person: str) -> dict[str, dict[str, Any]]:
    """``person``'s wallet as `certfree wallet list` shows it, by certificate id."""
    listed = runner.invoke(app, ["wallet", "list", "--wallet", _wallet(cluster, person), "--json"])
    assert listed.exit_code == 0, listed.stderr
    return {c["identifier"]: c for c in json.loads(listed.stdout)}


def verified_at(
    cluster: dict[str, Any], code: str, keeper: str, certificate_id: str, disclose: str
) -> dict[str, Any]:
    """The certificate presented from ``keeper``'s wallet (`certfree wallet present`) to a
    clerk of node ``code``, and that node's verification (POST /api/v1/verifications), which
    must find it valid."""
    node = cluster["nodes"][code]
    audience, nonce = f"desk:{code}", f"n-{time.monotonic_ns()}"
    shown = runner.invoke(
        app,
        [
            *("wallet", "present", certificate_id, "--wallet", _wallet(cluster, keeper)),
            *("--audience", audience, "--nonce", nonce, "--disclose", disclose),
        ],
    )
    assert shown.exit_code == 0, shown.stderr
    response = httpx.post(
        f"{node['url']}/api/v1/verifications",
        json={"presentation": shown.stdout.strip(), "audience": audience, "nonce": nonce},
        headers={"Authorization": f"Bearer {clerk_token(node, code)}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    assert result["valid"], result["failed_checks"]
    return result


def stop_node(cluster: dict[str, Any], code: str) -> None:
    """SIGTERM node ``code`` and wait until it has exited (its port closed)."""
    pid = int(cluster["nodes"][code]["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)


def restart_node(cluster: dict[str, Any], code: str) -> None:
    """Start node ``code`` again as before (its directory, port and environment), with its
    new pid in the manifest so that ``cluster_down`` stops it."""
    entry = cluster["nodes"][code]
    directory = Path(entry["dir"])
    port = int(entry["url"].rsplit(":", 1)[1])
    node = ClusterNode(code, entry["name"], entry["level"], entry["parent"], port, directory)
    entry["pid"] = start_node(node, json.loads((directory / "env.json").read_text()))
    path = Path(cluster["dir"]) / "cluster.json"
    manifest = json.loads(path.read_text())
    manifest["nodes"][code]["pid"] = entry["pid"]
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    assert wait_healthy({code: entry["url"]}, 60) == []


def send_as(
    cluster: dict[str, Any], code: str, *, to: str, type: str, body: dict[str, Any]
) -> Message:
    """A message signed by node ``code`` (its key, settings and database, as its own
    ``certfree exchange`` commands send one) to node ``to`` over the cluster; the signed reply.
    Raises what :func:`certfree.exchange.protocol.transport.send` raises (a signed refusal …)."""
    env = json.loads((Path(cluster["nodes"][code]["dir"]) / "env.json").read_text())
    prefix = "CERTFREE_"
    fields = {k[len(prefix) :].lower(): v for k, v in env.items() if k.startswith(prefix)}
    settings = Settings(**fields)

    async def send() -> Message:
        db = Database(settings.database_url)
        runtime = ExchangeRuntime(settings, db, settings.key_store())
        await runtime.start()
        try:
            return await transport.send(runtime, to=to, type=type, body=body)
        finally:
            await runtime.stop()
            db.dispose()

    return asyncio.run(send())
