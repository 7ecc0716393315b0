"""A correction between real node processes over loopback HTTP (``certfree cluster up``): a
citizen of 济南 asks at 济南's node (370100) to correct the name on their resident ID card;
the request travels to 济南市公安局's own node (370100-GA), whose admin accepts it there; the
answer comes back, and 济南's library seals the card again with the corrected name."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from certfree.crypto import Alg, generate_signer
from certfree.demo.cluster import cluster_up
from certfree.demo.cluster_desk import node_settings
from certfree.demo.cluster_processes import cluster_down
from certfree.demo.devices import DemoNode, mint

pytestmark = pytest.mark.slow

CITY, GA = "370100", "370100-GA"
ID_CARD = "11100000000013047R001"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("rights")
    manifest = cluster_up(directory, cities=1, departments=["GA"], citizens=1000, seed=17)
    try:
        yield {"dir": directory, **manifest}
    finally:
        cluster_down(directory, grace=3)


def _node(cluster: dict[str, Any], code: str) -> DemoNode:
    entry = cluster["nodes"][code]
    return DemoNode(code, entry["url"], node_settings(entry, code))


def _db(cluster: dict[str, Any], code: str) -> sqlite3.Connection:
    return sqlite3.connect(Path(cluster["nodes"][code]["dir"]) / "certfree.db")


def _call(node: DemoNode, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(
        method,
        f"{node.url}{path}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
        **kwargs,
    )


def test_a_correction_travels_to_the_department_node_and_the_card_is_reissued(
    cluster: dict[str, Any],
) -> None:
    city, ga = _node(cluster, CITY), _node(cluster, GA)
    with _db(cluster, GA) as world:
        person, name = world.execute(
            "SELECT id_number, name FROM persons WHERE deceased = 0 AND address_code LIKE "
            "'3701%' ORDER BY id_number LIMIT 1"
        ).fetchone()
    citizen = mint(city, "applicant", person)
    # The card the person holds, sealed by 济南's public security at 济南's node (demo).
    holder = generate_signer(Alg.ES256).public_jwk()
    issued = _call(city, "POST", "/dev/own-certificates", citizen,
                   json={"type_code": ID_CARD, "holder_jwk": holder})  # fmt: skip
    assert issued.status_code == 201, issued.text
    card = issued.json()["identifier"]

    asked = _call(
        city, "POST", "/api/v1/me/corrections", citizen,
        json={"certificate_id": card, "field": "name", "current_value": name,
              "requested_value": f"{name}一", "reason": "更名后未同步"},
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["department"], request["delivery"]) == (GA, "delivered")

    admin = mint(ga, "department_admin", "ga-admin", organisation=GA)
    inbox = _call(ga, "GET", "/api/v1/dept/corrections", admin).json()
    assert [r["request_id"] for r in inbox] == [request["request_id"]]
    answered = _call(
        ga, "POST", f"/api/v1/dept/corrections/{request['request_id']}/answer", admin,
        json={"decision": "accept", "reason": "核对户籍档案属实"},
    )  # fmt: skip
    assert answered.status_code == 200, answered.text
    assert answered.json()["delivery"] == "delivered"

    mine = _call(city, "GET", f"/api/v1/me/corrections/{request['request_id']}", citizen).json()
    assert (mine["status"], mine["answer_reason"]) == ("accepted", "核对户籍档案属实")
    (reissued,) = mine["reissued"]
    assert reissued["superseded"] == card
    with _db(cluster, GA) as world:
        assert world.execute(
            "SELECT name FROM persons WHERE id_number = ?", (person,)
        ).fetchone() == (f"{name}一",)
    with _db(cluster, CITY) as library:
        rows = dict(
            library.execute(
                "SELECT identifier, status FROM certificates WHERE identifier IN (?, ?)",
                (card, reissued["identifier"]),
            ).fetchall()
        )
    assert rows == {card: "revoked", reissued["identifier"]: "issued"}
    # The citizen's home node read the department's log for them: the read is logged there,
    # naming the home node, and shows among their accesses on the next read.
    _call(city, "GET", "/api/v1/me/accesses/cascade", citizen)
    cascade = _call(city, "GET", "/api/v1/me/accesses/cascade", citizen).json()
    (at_ga,) = [part for part in cascade["nodes"] if part["node"] == GA]
    kinds = {(a["kind"], a["consumer"]) for a in at_ga["accesses"]}
    assert ("subject_log_read", CITY) in kinds
    assert ("subject_change", CITY) in kinds
