"""Reading and adding nodes of the 1+16+N cascade.

The exchange later routes requests along ``parent_code``; this module only keeps the registry
consistent: a node's code follows the scheme in :mod:`certfree.nodes.models`, its parent exists
and sits one step up, and its USCC is valid (GB 32100).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.errors import Conflict, InvalidInput, NotFound
from certfree.identifiers import parse_uscc
from certfree.nodes.departments import DepartmentKind
from certfree.nodes.models import Node
from certfree.settings import NodeLevel

__all__ = ["add_node", "department_of", "get_node", "list_nodes", "node_code"]

_DIVISION = re.compile(r"^[1-9]\d{5}$")


def node_code(division_code: str, department: DepartmentKind | None = None) -> str:
    """The node code for a region (``370100``) or one of its departments (``370100-MZ``)."""
    return division_code if department is None else f"{division_code}-{department.value}"


def list_nodes(
    session: Session, level: NodeLevel | None = None, parent: str | None = None
) -> list[Node]:
    """Nodes ordered by code, optionally only those of ``level`` and/or under ``parent``."""
    query = select(Node).order_by(Node.code)
    if level is not None:
        query = query.where(Node.level == level)
    if parent is not None:
        query = query.where(Node.parent_code == parent)
    return list(session.scalars(query))


_DEPARTMENT_NODE = re.compile(r"^[1-9]\d{5}-([A-Z]{2})$")


def department_of(session: Session, organ: str) -> DepartmentKind | None:
    """The kind of department an organ is: named by its node code (``370100-MZ``, read from
    the code itself) or by its USCC (looked up in the registry); None if neither says."""
    wanted = organ.strip().upper()
    match = _DEPARTMENT_NODE.match(wanted)
    if match is not None:
        return DepartmentKind.__members__.get(match.group(1))  # each name is its value
    return session.scalar(select(Node.department).where(Node.uscc == wanted))


def get_node(session: Session, code: str) -> Node:
    """The node with ``code``; raises NotFound naming the code."""
    node = session.get(Node, code)
    if node is None:
        raise NotFound(f"没有编码为 {code} 的节点（node {code} does not exist）", field="code")
    return node


def add_node(
    session: Session,
    *,
    name: str,
    level: NodeLevel,
    division_code: str,
    uscc: str,
    department: DepartmentKind | None = None,
    parent_code: str | None = None,
    endpoint_url: str | None = None,
) -> Node:
    """Register a node; its code is derived from ``division_code`` and ``department``.

    Raises InvalidInput when the level, department and parent do not fit the scheme (a
    department node needs a kind and its region's node as parent; a city node the province;
    the province no parent), InvalidIdentifier for a bad USCC, NotFound for a missing parent and
    Conflict when the code or USCC is already registered.
    """
    if not _DIVISION.match(division_code):
        raise InvalidInput(
            f"行政区划代码应为 6 位数字，收到 {division_code!r}", field="division_code"
        )
    if not name.strip():
        raise InvalidInput("节点名称不能为空", field="name")
    if (level is NodeLevel.DEPARTMENT) != (department is not None):
        raise InvalidInput("部门节点必须指定部门类别，省级和市级节点不能指定", field="department")
    parse_uscc(uscc)
    code = node_code(division_code, department)
    if session.get(Node, code) is not None:
        raise Conflict(f"节点 {code} 已存在", field="code")
    if session.scalar(select(Node.code).where(Node.uscc == uscc)) is not None:
        raise Conflict(f"统一社会信用代码 {uscc} 已被其他节点使用", field="uscc")
    _check_parent(session, level, division_code, parent_code)
    node = Node(
        code=code,
        name=name,
        level=level,
        parent_code=parent_code,
        division_code=division_code,
        department=department,
        uscc=uscc,
        endpoint_url=endpoint_url,
    )
    session.add(node)
    session.flush()
    return node


def _check_parent(
    session: Session, level: NodeLevel, division_code: str, parent_code: str | None
) -> None:
    if level is NodeLevel.PROVINCE:
        if parent_code is not None:
            raise InvalidInput("省级节点没有上级节点", field="parent_code")
        return
    if parent_code is None:
        raise InvalidInput(f"{level} 级节点必须指定上级节点", field="parent_code")
    parent = get_node(session, parent_code)
    if level is NodeLevel.DEPARTMENT:
        if parent.level is NodeLevel.DEPARTMENT or parent.division_code != division_code:
            raise InvalidInput(
                f"部门节点的上级应为本行政区划的节点 {division_code}，收到 {parent_code}",
                field="parent_code",
            )
    elif parent.level is not NodeLevel.PROVINCE:
        raise InvalidInput(
            f"市级节点的上级应为省级节点，{parent_code} 是 {parent.level} 级", field="parent_code"
        )
