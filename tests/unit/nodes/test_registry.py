"""The node registry: codes follow the scheme, parents fit, errors say what is wrong."""

from __future__ import annotations

import pytest

from certfree.errors import Conflict, InvalidIdentifier, InvalidInput, NotFound
from certfree.identifiers import make_uscc
from certfree.nodes import DepartmentKind, add_node, department_name, get_node, list_nodes
from certfree.settings import NodeLevel
from certfree.storage import Database


def _uscc(division: str, body: str) -> str:
    return make_uscc("1", "1", division, body)


@pytest.fixture
def registry(db: Database) -> Database:
    with db.session() as session:
        add_node(
            session,
            name="山东省大数据局",
            level=NodeLevel.PROVINCE,
            division_code="370000",
            uscc=_uscc("370000", "00000000"),
        )
        add_node(
            session,
            name="济南市大数据局",
            level=NodeLevel.CITY,
            division_code="370100",
            parent_code="370000",
            uscc=_uscc("370100", "01000000"),
            endpoint_url="http://127.0.0.1:8101",
        )
        add_node(
            session,
            name="济南市民政局",
            level=NodeLevel.DEPARTMENT,
            division_code="370100",
            department=DepartmentKind.MZ,
            parent_code="370100",
            uscc=_uscc("370100", "01000002"),
        )
    return db


def test_codes_follow_the_scheme(registry: Database) -> None:
    with registry.session() as session:
        node = get_node(session, "370100-MZ")
        assert (node.name, node.level, node.parent_code) == (
            "济南市民政局",
            NodeLevel.DEPARTMENT,
            "370100",
        )
        assert node.department is DepartmentKind.MZ
        assert node.created_at.tzinfo is not None
        assert get_node(session, "370100").endpoint_url == "http://127.0.0.1:8101"


def test_list_filters_by_level_and_parent(registry: Database) -> None:
    with registry.session() as session:
        assert [n.code for n in list_nodes(session)] == ["370000", "370100", "370100-MZ"]
        assert [n.code for n in list_nodes(session, level=NodeLevel.CITY)] == ["370100"]
        assert [n.code for n in list_nodes(session, parent="370100")] == ["370100-MZ"]


def test_missing_node_is_named(registry: Database) -> None:
    with registry.session() as session, pytest.raises(NotFound, match="371700"):
        get_node(session, "371700")


def test_duplicate_code_conflicts(registry: Database) -> None:
    with registry.session() as session, pytest.raises(Conflict, match="370100-MZ"):
        add_node(
            session,
            name="济南市民政局",
            level=NodeLevel.DEPARTMENT,
            division_code="370100",
            department=DepartmentKind.MZ,
            parent_code="370100",
            uscc=_uscc("370100", "01000099"),
        )


@pytest.mark.parametrize(
    ("level", "department", "parent", "message"),
    [
        (NodeLevel.DEPARTMENT, None, "370100", "部门类别"),
        (NodeLevel.CITY, DepartmentKind.GA, "370000", "部门类别"),
        (NodeLevel.CITY, None, None, "上级节点"),
        (NodeLevel.DEPARTMENT, DepartmentKind.GA, "370000", "370200"),
    ],
)
def test_misplaced_nodes_are_refused(
    registry: Database,
    level: NodeLevel,
    department: DepartmentKind | None,
    parent: str | None,
    message: str,
) -> None:
    with registry.session() as session, pytest.raises(InvalidInput, match=message):
        add_node(
            session,
            name="青岛市公安局",
            level=level,
            division_code="370200",
            department=department,
            parent_code=parent,
            uscc=_uscc("370200", "02000001"),
        )


def test_bad_uscc_is_refused(registry: Database) -> None:
    with registry.session() as session, pytest.raises(InvalidIdentifier):
        add_node(
            session,
            name="青岛市大数据局",
            level=NodeLevel.CITY,
            division_code="370200",
            parent_code="370000",
            uscc="11370200MB0000000X",
        )


def test_missing_parent_is_not_found(registry: Database) -> None:
    with registry.session() as session, pytest.raises(NotFound, match="370200"):
        add_node(
            session,
            name="青岛市公安局",
            level=NodeLevel.DEPARTMENT,
            division_code="370200",
            department=DepartmentKind.GA,
            parent_code="370200",
            uscc=_uscc("370200", "02000001"),
        )


@pytest.mark.parametrize(
    ("kind", "region", "provincial", "expected"),
    [
        (DepartmentKind.MZ, "山东省", True, "山东省民政厅"),
        (DepartmentKind.MZ, "济南市", False, "济南市民政局"),
        (DepartmentKind.GA, "山东省", True, "山东省公安厅"),
        (DepartmentKind.SJ, "青岛市", False, "青岛市市场监督管理局"),
        (DepartmentKind.SW, "济南市", False, "国家税务总局济南市税务局"),
        (DepartmentKind.RS, "山东省", True, "山东省人力资源和社会保障厅"),
    ],
)
def test_department_names(
    kind: DepartmentKind, region: str, provincial: bool, expected: str
) -> None:
    assert department_name(kind, region, provincial=provincial) == expected


def test_every_kind_has_both_names() -> None:
    assert len(DepartmentKind) == 9
    assert DepartmentKind.MZ.name_zh == "民政"
    assert DepartmentKind.MZ.name_en == "civil affairs"
    assert all(kind.name_zh and kind.name_en for kind in DepartmentKind)
