"""The demo's stand-ins for people's devices: which demo node a URL is, and what an
application asks about each party (what `certfree apply consent` asks the province to attest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from certfree import certs
from certfree.demo.devices import DemoNode, demo_site, issued_on_demand, own_id_card
from certfree.errors import InvalidInput
from certfree.population import Household, Person
from certfree.settings import Settings
from certfree.storage import Database

ID_CARD, HOUSEHOLD_REGISTER = "11100000000013047R001", "11100000000013047R002"


def _cluster(directory: Path) -> None:
    nodes = {
        code: {"url": f"http://127.0.0.1:{port}", "dir": str(directory / code), "level": level}
        for code, port, level in (("370000", 7001, "province"), ("370100", 7002, "city"))
    }
    manifest = {"province": "370000", "nodes": nodes}
    (directory / "cluster.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_url_is_a_cluster_node_the_make_run_node_or_no_demo_node(tmp_path: Path) -> None:
    _cluster(tmp_path)
    settings = Settings(key_dir=tmp_path / "var" / "keys", port=8123)

    city = demo_site("http://127.0.0.1:7002/", cluster_dir=tmp_path, settings=settings)
    assert city is not None
    assert (city.node.code, city.node.settings.key_dir) == ("370100", tmp_path / "370100" / "keys")
    assert city.province is not None
    assert city.province.url == "http://127.0.0.1:7001"
    assert city.wallets == tmp_path / "wallets"

    for url in (None, "http://127.0.0.1:8123"):
        own = demo_site(url, cluster_dir=tmp_path, settings=settings)
        assert own is not None
        assert own.province is own.node
        assert own.wallets == tmp_path / "var" / "wallets"

    assert demo_site("http://127.0.0.1:9", cluster_dir=tmp_path, settings=settings) is None
    production = settings.model_copy(update={"environment": "production"})
    assert demo_site(None, cluster_dir=tmp_path, settings=production) is None


def test_a_demo_person_is_issued_their_own_papers_as_the_register_holds_them(
    demo_db: Database,
) -> None:
    with demo_db.session() as session:
        home = session.scalars(select(Household).order_by(Household.household_no)).first()
        assert home is not None
        member = session.scalars(
            select(Person).where(
                Person.household_no == home.household_no,
                Person.id_number != home.head_id_number,
            )
        ).first()
        assert member is not None
        head = session.get(Person, home.head_id_number)
        assert head is not None
    node = DemoNode("370100", "http://127.0.0.1:9", Settings(database_url=demo_db.url))
    register, card = certs.cert_type(HOUSEHOLD_REGISTER), certs.cert_type(ID_CARD)

    (face, organ), (heads, _) = (
        own_id_card(node, HOUSEHOLD_REGISTER, who) for who in (member.id_number, head.id_number)
    )
    id_face, _ = own_id_card(node, ID_CARD, member.id_number)

    assert certs.check_face_data(register, face) == face
    assert (face["household_no"], face["head_name"]) == (home.household_no, head.name)
    assert (face["relation_to_head"], heads["relation_to_head"]) == ("其他", "户主")
    assert face["address"] == home.address
    assert organ == f"{member.address_code[:4]}00-GA"  # the city's public security issues it
    assert certs.check_face_data(card, id_face) == id_face
    assert issued_on_demand(HOUSEHOLD_REGISTER)
    assert issued_on_demand(ID_CARD)
    assert not issued_on_demand("11100000000013709K001")  # the elderly card is applied for
    with pytest.raises(InvalidInput):
        own_id_card(node, "11100000000013709K001", member.id_number)
