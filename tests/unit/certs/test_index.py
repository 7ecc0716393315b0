"""The provincial certificate index: a node's feed (numbered on read, no face data, a keyed
holder commitment), the province's harvest (resumes with nothing lost or doubled, a revocation
arrives at the next harvest, a malformed page stores nothing), its one trust list, and who may
see which entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from certfree import certs
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.certs import index as cert_index
from certfree.certs.index import IndexEntry, IndexStatus
from certfree.crypto import KeyStore
from certfree.exchange.protocol.registry import revoke_node
from certfree.nodes.feeds import Source
from certfree.storage import Database
from factories.cert_index import CITY, KEY, City, LocalIndex, city_node, issue, register_city
from factories.certificates import ELDERLY_CARD, ID_CARD, example_face, issue_example

HOLDER = example_face(ID_CARD)["id_number"]
SKILLS = "11100000000013506Y002"  # 技能人员职业资格证书, issued by the province's 人社厅


@pytest.fixture
def city(tmp_path: Path) -> Iterator[City]:
    """济南's node: its own database (the demo organs registered) and its own keys."""
    with city_node(tmp_path) as node:
        yield node


@pytest.fixture
def province(db: Database, city: City) -> Database:
    """The province's database, with 济南 registered under its node key."""
    register_city(db, city)
    return db


_issue = issue


def _held(province: Database) -> dict[str, str]:
    with province.session() as session:
        return {row.identifier: row.status.value for row in session.scalars(select(IndexEntry))}


def test_the_feed_numbers_changes_on_read_and_shows_no_face_data(
    city: City,
) -> None:
    database, store = city
    first, second, third = _issue(city, 3)

    page = cert_index.index_page(database, store, CITY, KEY, since=0, limit=2)
    rest = cert_index.index_page(database, store, CITY, KEY, since=page.next, limit=2)
    with database.session() as session:
        certs.revoke_certificate(session, second, "lost")
    after = cert_index.index_page(database, store, CITY, KEY, since=rest.next, limit=2)

    assert [e["identifier"] for e in page.entries] == [first, second]
    assert (page.next, page.more) == (2, True)
    assert [e["identifier"] for e in rest.entries] == [third]
    assert (rest.next, rest.more) == (3, False)
    # The revocation comes back once, at a new number, as the certificate now stands.
    assert [(e["seq"], e["identifier"], e["status"]) for e in after.entries] == [
        (4, second, "revoked")
    ]
    entry = page.entries[0]
    assert entry["holder_commitment"] == cert_index.holder_commitment(KEY, HOLDER)
    assert HOLDER not in str(page.as_json()["entries"])
    assert "face_data" not in entry
    assert "credential" not in entry
    assert entry["issuer_node"] == "370100-GA"


def test_the_commitment_is_keyed_and_the_same_for_one_holder() -> None:
    one = cert_index.holder_commitment(KEY, HOLDER)
    assert one == cert_index.holder_commitment(KEY, f" {HOLDER.lower()} ")
    assert one != cert_index.holder_commitment(b"another-province-key-0123456789ab", HOLDER)
    assert len(one) == 43


def test_a_harvest_indexes_a_node_and_a_revocation_arrives_at_the_next(
    province: Database, city: City
) -> None:
    issued = _issue(city, 2) + _issue(city, 1, ELDERLY_CARD)
    feed = LocalIndex({CITY: city})

    first = cert_index.harvest_index(province, [Source(CITY, None)], feed)
    with city[0].session() as session:
        certs.revoke_certificate(session, issued[0], "lost")
    second = cert_index.harvest_index(province, [Source(CITY, None)], feed)

    assert first[0].as_json() == {
        "node": CITY, "status": "ok", "pages": 1, "created": 3, "updated": 0, "cursor": 3,
        "issuers": 2, "reason": None, "restarted": False, "ignored_issuers": [],
    }  # fmt: skip
    assert (second[0].created, second[0].updated, second[0].cursor) == (0, 1, 4)
    assert _held(province) == {issued[0]: "revoked", issued[1]: "issued", issued[2]: "issued"}
    with province.session() as session:
        states = cert_index.index_states(session)
    assert (states[0]["node"], states[0]["entries"], states[0]["last_status"]) == (CITY, 3, "ok")


def test_an_interrupted_harvest_resumes_with_nothing_lost_or_doubled(
    province: Database, city: City
) -> None:
    issued = _issue(city, 5)

    broken = cert_index.harvest_index(
        province, [Source(CITY, None)], LocalIndex({CITY: city}, fail_on=2), page_size=2
    )
    between = _held(province)
    resumed = cert_index.harvest_index(
        province, [Source(CITY, None)], LocalIndex({CITY: city}), page_size=2
    )

    assert (broken[0].status, broken[0].pages, broken[0].cursor) == (
        IndexStatus.UNREACHABLE, 1, 2,
    )  # fmt: skip
    assert sorted(between) == sorted(issued[:2])
    assert (resumed[0].status, resumed[0].pages, resumed[0].created) == (IndexStatus.OK, 2, 3)
    assert sorted(_held(province)) == sorted(issued)
    with province.session() as session:
        assert session.scalar(select(func.count()).select_from(IndexEntry)) == 5


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda p: {**p, "entries": [{**p["entries"][0], "status": "lost"}]}, "status"),
        (lambda p: {**p, "entries": [{**p["entries"][0], "holder_commitment": "370102"}]},
         "holder_commitment"),
        (lambda p: {**p, "entries": [{**p["entries"][0], "valid_from": "2026-13-01"}]},
         "valid_from"),
        (lambda p: {**p, "trust_list": p["trust_list"][:-4] + "AAAA"}, "签名无效"),
        (lambda p: {**p, "node": "370200"}, "不是 370100"),
        (lambda p: {**p, "entries": [{**p["entries"][0], "seq": 99}]}, "不在"),
    ],
)  # fmt: skip
def test_a_malformed_page_is_refused_and_stores_nothing(
    province: Database, city: City, mangle: Any, reason: str
) -> None:
    _issue(city, 2)

    report = cert_index.harvest_index(
        province, [Source(CITY, None)], LocalIndex({CITY: city}, mangle=mangle)
    )[0]

    assert report.status is IndexStatus.INVALID
    assert reason in (report.reason or "")
    assert _held(province) == {}
    with province.session() as session:
        assert cert_index.index_states(session)[0]["cursor"] == 0


def test_a_node_cannot_report_another_citys_organs(province: Database, city: City) -> None:
    _issue(city, 1)
    register_city(province, city, "370200")  # 济南's key now registered as 青岛's

    report = cert_index.harvest_index(
        province, [Source("370200", None)], LocalIndex({"370200": city})
    )[0]

    assert report.status is IndexStatus.INVALID
    organ = _organ(province, "370100-GA")
    assert f"发证机关 {organ} 不是该节点信任列表中属于该节点的发证机关" in (report.reason or "")
    assert report.ignored_issuers == [organ]  # its keys are not taken either
    assert _held(province) == {}


def test_the_province_trust_list_holds_every_active_node_and_counts_its_changes(
    province: Database, city: City, keys: KeyStore
) -> None:
    _issue(city, 1)
    cert_index.harvest_index(province, [Source(CITY, None)], LocalIndex({CITY: city}))
    jinan_organ = _organ(province, "370100-GA")

    with province.session() as session:
        first = certs.TrustList.from_token(
            cert_index.province_trust_list(session, keys, publisher="370000", now=1_800_000_000),
            keys.active(NODE_KEY_OWNER).public_jwk,
        )
        again = certs.TrustList.from_token(
            cert_index.province_trust_list(session, keys, publisher="370000", now=1_800_000_100)
        )
        revoke_node(session, CITY)
        without = certs.TrustList.from_token(
            cert_index.province_trust_list(session, keys, publisher="370000", now=1_800_000_200)
        )

    assert jinan_organ in first.issuers
    assert first.publisher == "370000"
    assert first.issued_at == 1_800_000_000
    assert (first.serial, again.serial, without.serial) == (1, 1, 2)
    assert jinan_organ not in without.issuers  # a revoked node's organs drop out


def _organ(province: Database, code: str) -> str:
    with province.session() as session:
        return certs.find_issuer(session, code).uscc


def test_a_holder_sees_only_their_own_entries_and_an_admin_only_its_nodes(
    province: Database, city: City
) -> None:
    mine = _issue(city, 1)[0]
    cert_index.harvest_index(province, [Source(CITY, None)], LocalIndex({CITY: city}))

    with province.session() as session:
        own = cert_index.holder_entries(session, KEY, HOLDER)
        other = cert_index.holder_entries(session, KEY, "110101199003070011")
        jinan = cert_index.issued_entries(session, node=CITY)
        qingdao = cert_index.issued_entries(session, node="370200")
        with pytest.raises(cert_index.InvalidIndexQuery) as refused:
            cert_index.issued_entries(session, limit=0)

    assert [(e["identifier"], e["node_url"]) for e in own] == [(mine, "http://370100.test")]
    assert own[0]["certificate_url"] == f"http://370100.test/api/v1/certificates/{mine}"
    assert other == []
    assert qingdao == []
    assert [e["identifier"] for e in jinan] == [mine]
    assert "holder_commitment" not in jinan[0]
    assert refused.value.field == "limit"


def test_expiry_is_read_not_stored(province: Database, city: City) -> None:
    _issue(city, 1)
    cert_index.harvest_index(province, [Source(CITY, None)], LocalIndex({CITY: city}))
    later = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
    with province.session() as session:
        (entry,) = cert_index.holder_entries(session, KEY, HOLDER, now=later)
    assert entry["status"] == "expired"


def test_a_down_node_is_reported_and_the_others_go_on(province: Database, city: City) -> None:
    _issue(city, 1)
    sources = [Source("370200", None), Source(CITY, None)]

    reports = cert_index.harvest_index(province, sources, LocalIndex({CITY: city}, fail_on=1))

    assert [(r.node, r.status) for r in reports] == [
        ("370200", IndexStatus.UNREACHABLE), (CITY, IndexStatus.OK),
    ]  # fmt: skip


def test_the_province_indexes_its_own_issuance_in_process(
    province: Database, city: City, keys: KeyStore
) -> None:
    register_city(province, (province, keys), "370000")  # the province's own key, registered
    with province.session() as session:
        own = issue_example(session, keys, SKILLS, name="王建国", id_number=HOLDER).identifier
    jinan = issue(city, 1)[0]
    client = cert_index.OwnFeedClient(province, keys, "370000", KEY, LocalIndex({CITY: city}))

    reports = cert_index.harvest_index(
        province, [Source("370000", None), Source(CITY, None)], client
    )

    assert [(r.node, r.status, r.created) for r in reports] == [
        ("370000", IndexStatus.OK, 1), (CITY, IndexStatus.OK, 1),
    ]  # fmt: skip
    with province.session() as session:
        mine = cert_index.holder_entries(session, KEY, HOLDER)
    assert {(e["node"], e["identifier"]) for e in mine} == {("370000", own), (CITY, jinan)}


def test_a_node_vouches_in_its_own_feed_for_the_departments_it_hosts(
    province: Database, city: City, keys: KeyStore
) -> None:
    # The single demo node (make run) issues as the departments it hosts (城市公安局 here).
    register_city(province, (province, keys), "370000")
    with province.session() as session:
        card = issue_example(session, keys, ID_CARD, id_number=HOLDER).identifier
    client = cert_index.OwnFeedClient(province, keys, "370000", KEY, LocalIndex({CITY: city}))
    organ = _organ(province, "370100-GA")

    (refused,) = cert_index.harvest_index(province, [Source("370000", None)], client)
    assert refused.status is IndexStatus.INVALID  # not below it, not hosted: not its to vouch
    assert organ in refused.ignored_issuers

    (hosting,) = cert_index.harvest_index(
        province, [Source("370000", None)], client, hosted={"370000": ["370100-GA"]}
    )
    assert (hosting.status, hosting.created) == (IndexStatus.OK, 1)
    with province.session() as session:
        held = cert_index.holder_entries(session, KEY, HOLDER)
    assert [e["identifier"] for e in held] == [card]
