"""End-to-end encryption through real node processes: a city desk asks another city's
department across the province and that city; the consumer gets the answer, while the two
forwarders (the province and the provider's city) hold neither the subject's ID number nor
the answer in what they wrote while the question crossed (every row of every table of their
SQLite files, compared with the rows before) nor in their logs, and the signed answer that
crossed them is readable only as ciphertext."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from certfree.crypto import b64url_decode
from certfree.demo import cluster_desk as desk
from certfree.demo.cluster import cluster_up
from certfree.demo.cluster_processes import cluster_down

pytestmark = pytest.mark.slow

MARRIAGE = "371A0101000000-370100000000-000-113701000100000206-1-00"  # 内地居民结婚登记
DESK, PROVINCE, CITY, MZ = "370200", "370000", "370100", "370100-MZ"
FORWARDERS = (PROVINCE, CITY)  # the path is 370200 → 370000 → 370100 → 370100-MZ


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("cluster")
    manifest = cluster_up(directory, cities=2, departments=["MZ"], citizens=1000, seed=11)
    try:
        yield {"dir": directory, **manifest}
    finally:
        cluster_down(directory, grace=3)


def _database(cluster: dict[str, Any], code: str) -> Path:
    return Path(cluster["nodes"][code]["dir"]) / "certfree.db"


def _rows(cluster: dict[str, Any], code: str) -> set[tuple[str, str]]:
    """Every row of every table of node ``code``'s SQLite file, as (table, row text)."""
    found: set[tuple[str, str]] = set()
    with sqlite3.connect(_database(cluster, code)) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from sqlite_master
                found.add((table, repr(row)))
    assert tables, f"no tables in {_database(cluster, code)}"
    return found


def _log(cluster: dict[str, Any], code: str) -> str:
    return (Path(cluster["nodes"][code]["dir"]) / "serve.log").read_text(errors="replace")


def _married(cluster: dict[str, Any]) -> str:
    with sqlite3.connect(_database(cluster, MZ)) as connection:
        (person,) = connection.execute(
            "SELECT party_a_id FROM marriages WHERE status = 'married' ORDER BY 1 LIMIT 1"
        ).fetchone()
    return str(person)


def test_forwarders_see_routing_metadata_only(cluster: dict[str, Any]) -> None:
    person = _married(cluster)
    consents = desk.consent_attestations(
        cluster,
        DESK,
        question="marital_status",
        args={"id_number": person},
        service_item=MARRIAGE,
        purpose="内地居民结婚登记",
    )
    # What the forwarders hold before the question: the demo template every node starts
    # from has the whole population, and the province signed the consent just now.
    before = {code: _rows(cluster, code) for code in FORWARDERS}
    logs_before = {code: len(_log(cluster, code)) for code in FORWARDERS}
    node = cluster["nodes"][DESK]
    response = desk.ask_node(
        node["url"],
        desk.clerk_token(node, DESK),
        {
            "question": "marital_status",
            "provider": MZ,
            "args": {"id_number": person},
            "service_item": MARRIAGE,
            "purpose": "内地居民结婚登记",
            "consents": list(consents.values()),
        },
    )

    assert response.status_code == 200, response.text
    answered = response.json()
    assert answered["answer"]["result"] == {"status": "married"}
    assert answered["provider"] == MZ

    # The signed answer, as every node on the way saw it: routing metadata and ciphertext.
    payload = json.loads(b64url_decode(answered["answer_jws"].split(".")[1]))
    assert set(payload["body"]) == {"jwe"}
    assert (payload["from"], payload["to"], payload["type"]) == (MZ, DESK, "question.answer")
    crossing = json.dumps(payload, ensure_ascii=False)
    assert "married" not in crossing
    assert person not in crossing

    for code in FORWARDERS:
        written = _rows(cluster, code) - before[code]
        leaked = [row for row in written if person in row[1] or "married" in row[1]]
        assert not leaked, f"{code} wrote {leaked}"
        log = _log(cluster, code)[logs_before[code] :]
        assert person not in log
        assert "married" not in log
