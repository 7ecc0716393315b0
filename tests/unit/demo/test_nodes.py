"""The demo's 1+16+N nodes: the province, its 16 real cities and 9 departments each."""

from __future__ import annotations

from collections import Counter

from certfree.identifiers import parse_uscc, shandong_cities
from certfree.nodes import DepartmentKind, get_node, list_nodes
from certfree.settings import NodeLevel
from certfree.storage import Database


def test_province_node(demo_db: Database) -> None:
    with demo_db.session() as session:
        root = get_node(session, "370000")
        assert (root.name, root.level, root.parent_code) == (
            "山东省大数据局",
            NodeLevel.PROVINCE,
            None,
        )


def test_sixteen_city_nodes_with_their_real_names(demo_db: Database) -> None:
    with demo_db.session() as session:
        cities = list_nodes(session, level=NodeLevel.CITY)
    assert len(cities) == 16
    expected = {c.code: f"{c.name}大数据局" for c in shandong_cities()}
    assert {c.code: c.name for c in cities} == expected
    assert expected["370100"] == "济南市大数据局"
    assert expected["371700"] == "菏泽市大数据局"
    assert {c.parent_code for c in cities} == {"370000"}


def test_nine_departments_under_the_province_and_every_city(demo_db: Database) -> None:
    with demo_db.session() as session:
        departments = list_nodes(session, level=NodeLevel.DEPARTMENT)
        assert get_node(session, "370000-MZ").name == "山东省民政厅"
        assert get_node(session, "370100-MZ").name == "济南市民政局"
        assert get_node(session, "370200-SW").name == "国家税务总局青岛市税务局"
    per_parent = Counter(d.parent_code for d in departments)
    assert len(per_parent) == 17
    assert set(per_parent.values()) == {9}
    for node in departments:
        assert node.department is not None
        assert node.code == f"{node.division_code}-{node.department.value}"
        assert node.parent_code == node.division_code
    assert {d.department for d in departments} == set(DepartmentKind)


def test_node_usccs_are_valid_and_distinct(demo_db: Database) -> None:
    with demo_db.session() as session:
        nodes = list_nodes(session)
    assert len(nodes) == 1 + 16 + 17 * 9
    assert len({n.uscc for n in nodes}) == len(nodes)
    for node in nodes:
        parsed = parse_uscc(node.uscc)
        assert (parsed.authority_code, parsed.entity_type_code) == ("1", "1")
        assert parsed.division_code == node.division_code
