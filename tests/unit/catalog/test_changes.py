"""The change feed: cursors, one entry per changed resource, tombstones, signed requests."""

from __future__ import annotations

import time
from typing import Any

import pytest

from certfree import catalog
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.catalog.changes import (
    changes_since,
    is_harvest_request,
    sign_harvest_request,
    verify_harvest_request,
)
from certfree.crypto import KeyStore
from certfree.errors import AuthError
from certfree.exchange.protocol.registry import snapshot_from_payload
from certfree.storage import Database
from conftest import TEST_PASSPHRASE, TEST_SCRYPT_N
from factories.catalog_resources import resource_data

CITY = "370100"


def _create(db: Database, **changes: Any) -> str:
    with db.session() as session:
        draft = catalog.validate_resource(resource_data(**changes))
        return catalog.create_resource(session, draft).code


def _page(db: Database, since: int, limit: int = 500) -> dict[str, Any]:
    with db.session() as session:
        return changes_since(session, CITY, since, limit).as_json()


def test_pages_follow_the_cursor_until_nothing_is_left(db: Database) -> None:
    codes = [_create(db, name=f"婚姻登记信息{i}") for i in range(3)]

    first = _page(db, 0, limit=2)
    second = _page(db, first["next"], limit=2)
    third = _page(db, second["next"], limit=2)

    assert [c["code"] for c in first["changes"]] == codes[:2]
    assert first["more"] is True
    assert [c["code"] for c in second["changes"]] == codes[2:]
    assert second["more"] is False
    assert third["changes"] == []
    assert third["next"] == second["next"]
    assert first["feed"] == second["feed"] == third["feed"]
    change = first["changes"][0]
    assert change["op"] == "upsert"
    assert change["origin"] == CITY
    assert change["resource"]["name"] == "婚姻登记信息0"
    assert change["resource"]["items"][0]["name"] == "公民身份号码"


def test_an_edited_resource_appears_once_at_its_newest_number(db: Database) -> None:
    code = _create(db)
    _create(db, name="收养登记信息")
    cursor = _page(db, 0)["next"]
    with db.session() as session:
        catalog.update_resource(session, code, {"update_cycle": "实时"})
        catalog.update_resource(session, code, {"name": "婚姻登记信息（新）"})

    page = _page(db, 0)
    after = _page(db, cursor)

    assert [c["code"] for c in page["changes"]].count(code) == 1
    assert page["changes"][-1]["resource"]["name"] == "婚姻登记信息（新）"
    assert [(c["code"], c["resource"]["update_cycle"]) for c in after["changes"]] == [
        (code, "realtime")
    ]


def test_a_deletion_is_reported_as_a_tombstone(db: Database) -> None:
    code = _create(db)
    cursor = _page(db, 0)["next"]
    with db.session() as session:
        catalog.delete_resource(session, code)

    page = _page(db, cursor)
    everything = _page(db, 0)

    assert [(c["op"], c["code"]) for c in page["changes"]] == [("delete", code)]
    assert [c["op"] for c in everything["changes"]] == ["delete"]  # no stale upsert


def test_an_import_enters_the_feed(db: Database) -> None:
    csv = (
        "信息资源名称,信息资源提供方,发布日期\n"
        "低保对象信息,济南市民政局,2024-01-02\n养老机构名录,济南市民政局,2024-01-03\n"
    )
    with db.session() as session:
        catalog.import_catalog(session, csv.encode(), "c.csv")

    page = _page(db, 0)

    assert [c["resource"]["name"] for c in page["changes"]] == ["低保对象信息", "养老机构名录"]
    assert page["next"] == page["changes"][-1]["seq"]


def _registry(keys: dict[str, KeyStore], status: str = "active") -> Any:
    nodes = [
        {"code": code, "status": status, "jwks": store.jwks(NODE_KEY_OWNER)}
        for code, store in keys.items()
    ]
    return snapshot_from_payload(
        {"province": "370000", "serial": 1, "issued_at": 0, "expires_at": 0, "nodes": nodes}
    )


@pytest.fixture
def province_keys(tmp_path: Any) -> KeyStore:
    store = KeyStore(tmp_path / "province", TEST_PASSPHRASE, scrypt_n=TEST_SCRYPT_N)
    store.create(NODE_KEY_OWNER)
    return store


def test_a_signed_harvest_request_names_the_harvester(province_keys: KeyStore) -> None:
    token = sign_harvest_request(
        province_keys.signer(NODE_KEY_OWNER), harvester="370000", node=CITY, since=5, limit=100
    )
    registry = _registry({"370000": province_keys})

    assert is_harvest_request(token)
    assert verify_harvest_request(token, registry, node=CITY, since=5, limit=100) == "370000"


@pytest.mark.parametrize(
    ("asked", "fault"),
    [
        ({"node": "370200"}, "不是本节点"),
        ({"since": 0}, "游标"),
        ({"now": time.time() + 600}, "偏差"),
    ],
)
def test_a_harvest_request_for_something_else_is_refused(
    province_keys: KeyStore, asked: dict[str, Any], fault: str
) -> None:
    token = sign_harvest_request(
        province_keys.signer(NODE_KEY_OWNER), harvester="370000", node=CITY, since=5, limit=100
    )
    check: dict[str, Any] = {"node": CITY, "since": 5, "limit": 100} | asked
    with pytest.raises(AuthError, match=fault):
        verify_harvest_request(token, _registry({"370000": province_keys}), **check)


def test_an_unregistered_or_revoked_harvester_is_refused(
    province_keys: KeyStore, tmp_path: Any
) -> None:
    stranger = KeyStore(tmp_path / "stranger", TEST_PASSPHRASE)
    stranger.create(NODE_KEY_OWNER)
    forged = sign_harvest_request(
        stranger.signer(NODE_KEY_OWNER), harvester="370000", node=CITY, since=0, limit=10
    )
    honest = sign_harvest_request(
        province_keys.signer(NODE_KEY_OWNER), harvester="370000", node=CITY, since=0, limit=10
    )

    with pytest.raises(AuthError, match="没有登记密钥"):
        verify_harvest_request(forged, _registry({"370000": province_keys}), node=CITY, since=0,
                               limit=10)  # fmt: skip
    with pytest.raises(AuthError, match="revoked"):
        verify_harvest_request(honest, _registry({"370000": province_keys}, "revoked"),
                               node=CITY, since=0, limit=10)  # fmt: skip
    with pytest.raises(AuthError, match="不在节点注册表"):
        verify_harvest_request(honest, _registry({}), node=CITY, since=0, limit=10)
