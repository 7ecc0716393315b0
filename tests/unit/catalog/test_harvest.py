"""The province harvests node catalogs: upserts with origin, tombstones, resume after a
failure mid-harvest with nothing lost or doubled, a down node reported while others go on."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select

from certfree import catalog
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.catalog import (
    HarvestStatus,
    HttpChangesClient,
    NodeUnreachable,
    Resource,
    Source,
    changes_since,
    harvest,
    harvest_sources,
    harvest_states,
)
from certfree.crypto import KeyStore
from certfree.demo import demo_nodes
from certfree.errors import InvalidInput
from certfree.exchange.protocol.registry import register_node
from certfree.nodes import Node
from certfree.storage import Database
from conftest import TEST_PASSPHRASE
from factories.catalog_resources import resource_data
from factories.databases import migrated_database_url

CITY, MZ = "370100", "370100-MZ"


@pytest.fixture
def city(tmp_path: Path) -> Iterator[Database]:
    with migrated_database_url(tmp_path, "city.db") as url:
        database = Database(url)
        yield database
        database.dispose()


class LocalFeed:
    """Each node's feed read from its database directly (the HTTP hop is tested elsewhere);
    ``fail_on`` makes fetch number N (1-based) fail as a node going down would."""

    def __init__(self, nodes: Mapping[str, Database], fail_on: int | None = None) -> None:
        self.nodes = nodes
        self.fail_on = fail_on
        self.fetches = 0

    def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]:
        self.fetches += 1
        if self.fetches == self.fail_on or source.code not in self.nodes:
            raise NodeUnreachable(source.code, "无法连接：connection refused")
        with self.nodes[source.code].session() as session:
            return changes_since(session, source.code, since, limit).as_json()


def _create(db: Database, **changes: Any) -> str:
    with db.session() as session:
        return catalog.create_resource(
            session, catalog.validate_resource(resource_data(**changes))
        ).code


def _held(province: Database, origin: str) -> dict[str, str]:
    with province.session() as session:
        rows = session.scalars(select(Resource).where(Resource.origin_node == origin))
        return {row.code: row.name for row in rows}


def test_a_harvest_stores_a_nodes_resources_under_its_origin(db: Database, city: Database) -> None:
    kept = _create(city, name="婚姻登记信息")
    edited = _create(city, name="收养登记信息")
    dropped = _create(city, name="殡葬服务信息")
    _create(db, name="本省自有资源")  # the province's own, code 307/000001 as well
    feed = LocalFeed({CITY: city})

    first = harvest(db, [Source(CITY, None)], feed)
    with city.session() as session:
        catalog.update_resource(session, edited, {"name": "收养登记信息（更新）"})
        catalog.delete_resource(session, dropped)
    second = harvest(db, [Source(CITY, None)], feed)

    assert first[0].as_json() | {"skipped": []} == {
        "node": CITY, "status": "ok", "pages": 1, "created": 3, "updated": 0, "deleted": 0,
        "cursor": 3, "reason": None, "restarted": False, "skipped": [],
    }  # fmt: skip
    assert (second[0].created, second[0].updated, second[0].deleted) == (0, 1, 1)
    assert _held(db, CITY) == {kept: "婚姻登记信息", edited: "收养登记信息（更新）"}
    assert _held(db, "") == {"307/000001": "本省自有资源"}
    with db.session() as session:
        assert catalog.get_resource(session, kept, origin=CITY).provider == "济南市民政局"
        # Harvested resources are not published again by the province.
        assert changes_since(session, "370000", 0).changes[0]["resource"]["name"] == "本省自有资源"
        assert len(changes_since(session, "370000", 0).changes) == 1
        state = harvest_states(session)
    assert state[0]["node"] == CITY
    assert state[0]["cursor"] == second[0].cursor
    assert state[0]["resources"] == 2
    assert state[0]["last_status"] == "ok"


def test_an_interrupted_harvest_resumes_with_nothing_lost_or_doubled(
    db: Database, city: Database
) -> None:
    codes = [_create(city, name=f"婚姻登记信息{i}") for i in range(5)]

    broken = harvest(db, [Source(CITY, None)], LocalFeed({CITY: city}, fail_on=2), page_size=2)
    between = _held(db, CITY)
    resumed = harvest(db, [Source(CITY, None)], LocalFeed({CITY: city}), page_size=2)

    assert broken[0].status is HarvestStatus.UNREACHABLE
    assert broken[0].reason == "无法连接：connection refused"
    assert (broken[0].pages, broken[0].created, broken[0].cursor) == (1, 2, 2)
    assert sorted(between) == codes[:2]
    assert (resumed[0].pages, resumed[0].created, resumed[0].updated) == (2, 3, 0)
    assert sorted(_held(db, CITY)) == codes
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Resource)) == 5
        assert harvest_states(session)[0]["last_error"] is None


def test_a_down_node_is_reported_and_the_others_are_harvested(db: Database, city: Database) -> None:
    _create(city)
    feed = LocalFeed({CITY: city})

    reports = harvest(db, [Source(MZ, None), Source(CITY, None)], feed)

    assert [(r.node, r.status.value) for r in reports] == [(MZ, "unreachable"), (CITY, "ok")]
    assert reports[0].reason == "无法连接：connection refused"
    with db.session() as session:
        states = {s["node"]: s for s in harvest_states(session)}
    assert states[MZ]["last_status"] == "unreachable"
    assert states[MZ]["last_ok_at"] is None
    assert states[CITY]["last_ok_at"] is not None


def test_a_rebuilt_node_catalog_is_harvested_again_from_the_start(
    db: Database, city: Database, tmp_path: Path
) -> None:
    _create(city, name="旧目录资源")
    harvest(db, [Source(CITY, None)], LocalFeed({CITY: city}))
    with migrated_database_url(tmp_path, "rebuilt.db") as url:
        rebuilt = Database(url)
        code = _create(rebuilt, name="重建后的资源")

        report = harvest(db, [Source(CITY, None)], LocalFeed({CITY: rebuilt}))[0]
        rebuilt.dispose()

    assert report.restarted is True
    assert (report.status, report.updated) == (HarvestStatus.OK, 1)
    assert _held(db, CITY)[code] == "重建后的资源"


def test_a_harvested_resource_that_fails_validation_is_skipped_and_named(
    db: Database, city: Database
) -> None:
    _create(city)

    class Tampered(LocalFeed):
        def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]:
            page = dict(super().fetch(source, since, limit))
            page["changes"] = [dict(c, resource={**c["resource"], "share_type": "随便"})
                               for c in page["changes"]]  # fmt: skip
            return page

    report = harvest(db, [Source(CITY, None)], Tampered({CITY: city}))[0]

    assert report.status is HarvestStatus.OK
    assert report.created == 0
    assert report.skipped[0]["code"] == "307/000001"
    assert "share_type" in report.skipped[0]["reason"]


def test_a_harvested_resource_is_found_by_a_search_with_its_origin(
    db: Database, city: Database
) -> None:
    _create(city, name="社会保险参保信息", provider="济南市人力资源和社会保障局",
            items=[{"name": "参保状态"}])  # fmt: skip
    _create(db, name="不动产登记信息", provider="山东省自然资源厅")
    harvest(db, [Source(CITY, None)], LocalFeed({CITY: city}))

    with db.session() as session:
        found = catalog.match(catalog.load_index(session), "社保参保", top=3)

    assert found[0].name == "社会保险参保信息"
    assert found[0].as_json()["origin_node"] == CITY


def test_sources_are_the_active_city_and_department_nodes(db: Database, tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys", TEST_PASSPHRASE)
    keys.create(NODE_KEY_OWNER)
    with db.session() as session:
        session.execute(insert(Node), demo_nodes())
        for code in ("370000", CITY, MZ):
            register_node(session, code, jwks=keys.jwks(NODE_KEY_OWNER),
                          endpoint_url=f"http://{code}.test", approve=code != MZ)  # fmt: skip
        everyone = harvest_sources(session, "370000")
        asked = harvest_sources(session, "370000", [CITY])
        with pytest.raises(InvalidInput, match=MZ):  # pending, not yet approved
            harvest_sources(session, "370000", [MZ])

    assert everyone == [Source(CITY, f"http://{CITY}.test")]
    assert asked == everyone


def test_a_node_that_accepts_but_never_answers_times_out(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys", TEST_PASSPHRASE)
    keys.create(NODE_KEY_OWNER)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes connections; nobody ever reads or answers
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    client = HttpChangesClient(
        keys.signer(NODE_KEY_OWNER), "370000", timeout=httpx.Timeout(0.5, connect=0.5)
    )
    try:
        started = time.monotonic()
        with pytest.raises(NodeUnreachable, match="应答超时"):
            client.fetch(Source(CITY, f"http://127.0.0.1:{silent.getsockname()[1]}"), 0, 10)
        with pytest.raises(NodeUnreachable, match="无法连接"):
            client.fetch(Source(MZ, f"http://127.0.0.1:{closed_port}"), 0, 10)
        with pytest.raises(NodeUnreachable, match="未登记节点地址"):
            client.fetch(Source(MZ, None), 0, 10)
        assert time.monotonic() - started < 3
    finally:
        client.close()
        silent.close()
