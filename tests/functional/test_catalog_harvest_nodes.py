"""Three nodes served by uvicorn on loopback: the province harvests the catalogs of
济南 (370100) and 济南市民政局 (370100-MZ) over the signed change feed, and a search at the
province finds their resources with their origin; a deletion at the city reaches it too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.catalog import (
    HarvestStatus,
    HttpChangesClient,
    harvest,
    harvest_sources,
    sign_harvest_request,
)
from certfree.crypto import KeyStore
from certfree.storage import Database
from factories.catalog_resources import resource_data
from helpers.cascade import Nodes, running_nodes

PROVINCE, CITY, MZ = "370000", "370100", "370100-MZ"
LEVELS = {PROVINCE: "province", CITY: "city", MZ: "department"}
PARENTS = {CITY: PROVINCE, MZ: PROVINCE}
PROBLEM = "application/problem+json"


@dataclass
class Cascade:
    clients: dict[str, httpx.Client]
    keys: dict[str, KeyStore]
    nodes: Nodes
    province_db: Database

    def headers(self, code: str, role: str, org: str | None = None) -> dict[str, str]:
        tokens = self.nodes.apps[code].state.node.tokens
        return {"Authorization": f"Bearer {tokens.issue(role, 'tester', organisation=org)}"}

    def publish(self, code: str, **changes: Any) -> dict[str, Any]:
        data = resource_data(**changes)
        response = self.clients[code].post(
            "/api/v1/catalog/resources",
            json=data,
            headers=self.headers(code, "department_admin", data["provider_code"]),
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def harvest(self) -> dict[str, Any]:
        signer = self.keys[PROVINCE].signer(NODE_KEY_OWNER)
        client = HttpChangesClient(signer, PROVINCE)
        with self.province_db.session() as session:
            sources = harvest_sources(session, PROVINCE)
        try:
            return {r.node: r for r in harvest(self.province_db, sources, client, page_size=2)}
        finally:
            client.close()

    def search(self, text: str) -> list[dict[str, Any]]:
        response = self.clients[PROVINCE].post(
            "/api/v1/catalog/match",
            json={"text": text, "top": 5},
            headers=self.headers(PROVINCE, "bureau_admin"),
        )
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()
        return found


@pytest.fixture
def cascade(tmp_path: Path) -> Iterator[Cascade]:
    with running_nodes(tmp_path, LEVELS, PARENTS) as nodes, ExitStack() as stack:
        clients = {code: stack.enter_context(nodes.client(code)) for code in nodes.apps}
        yield Cascade(clients, nodes.keys, nodes, nodes.dbs[PROVINCE])


def test_a_search_at_the_province_covers_every_node_and_follows_deletions(
    cascade: Cascade,
) -> None:
    marriage = cascade.publish(CITY, name="婚姻登记信息", provider="济南市民政局")
    cascade.publish(CITY, name="低保对象信息", provider="济南市民政局")
    cascade.publish(CITY, name="养老机构名录", provider="济南市民政局")
    cascade.publish(MZ, name="社会保险参保信息", provider="济南市人力资源和社会保障局")

    first = cascade.harvest()
    found = cascade.search("婚姻登记")
    insured = cascade.search("社保参保")

    assert {code: r.status for code, r in first.items()} == {
        CITY: HarvestStatus.OK,
        MZ: HarvestStatus.OK,
    }
    assert (first[CITY].created, first[CITY].pages) == (3, 2)  # pages of two
    assert found[0]["name"] == "婚姻登记信息"
    assert (found[0]["code"], found[0]["origin_node"]) == (marriage["code"], CITY)
    assert insured[0]["origin_node"] == MZ

    gone = cascade.clients[CITY].delete(
        f"/api/v1/catalog/resources/{marriage['code']}",
        headers=cascade.headers(CITY, "bureau_admin"),
    )
    assert gone.status_code == 204
    second = cascade.harvest()

    assert (second[CITY].deleted, second[CITY].created, second[MZ].pages) == (1, 0, 1)
    assert all(c["name"] != "婚姻登记信息" for c in cascade.search("婚姻登记"))


def test_a_down_node_is_reported_and_the_other_harvested(cascade: Cascade) -> None:
    cascade.publish(CITY, name="婚姻登记信息")
    cascade.nodes.down(MZ)

    reports = cascade.harvest()

    assert reports[CITY].status is HarvestStatus.OK
    assert reports[MZ].status is HarvestStatus.UNREACHABLE
    # The refusal in the harvester's words, then the system's.
    assert (reports[MZ].reason or "").startswith("无法连接：")
    assert "Connection refused" in (reports[MZ].reason or "")


def _feed(cascade: Cascade, headers: dict[str, str] | None, since: int = 0) -> Any:
    return cascade.clients[CITY].get(
        "/api/v1/catalog/changes", params={"since": since, "limit": 10}, headers=headers or {}
    )


def _signed(cascade: Cascade, by: str, *, node: str = CITY, since: int = 0) -> dict[str, str]:
    signer = cascade.keys[by].signer(NODE_KEY_OWNER)
    token = sign_harvest_request(signer, harvester=PROVINCE, node=node, since=since, limit=10)
    return {"Authorization": f"Bearer {token}"}


def test_the_feed_answers_only_registered_nodes_and_the_bureau(cascade: Cascade) -> None:
    cascade.publish(CITY)

    nobody = _feed(cascade, None)
    province = _feed(cascade, _signed(cascade, PROVINCE))
    impostor = _feed(cascade, _signed(cascade, MZ))  # MZ's key, claiming to be the province
    elsewhere = _feed(cascade, _signed(cascade, PROVINCE, node=MZ))
    replayed = _feed(cascade, _signed(cascade, PROVINCE, since=0), since=1)
    bureau = _feed(cascade, cascade.headers(CITY, "bureau_admin"))
    clerk = _feed(cascade, cascade.headers(CITY, "clerk"))

    assert nobody.status_code == 401
    assert nobody.headers["content-type"].startswith(PROBLEM)
    assert province.status_code == 200, province.text
    assert province.json()["changes"][0]["resource"]["name"] == "婚姻登记信息"
    assert province.json()["node"] == CITY
    for refused in (impostor, elsewhere, replayed):
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
    assert "没有登记密钥" in impostor.json()["detail"]
    assert "不是本节点" in elsewhere.json()["detail"]
    assert bureau.status_code == 200
    assert clerk.status_code == 403
