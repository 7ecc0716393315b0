"""The node registry and the demo province's people, read-only."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from certfree import nodes, population
from certfree.api.deps import SessionDep, acting_department, allow
from certfree.api.views import View
from certfree.auth import ALL_ROLES, Principal, Role
from certfree.errors import Forbidden
from certfree.identifiers import parse_resident_id
from certfree.nodes import DepartmentKind
from certfree.settings import NodeLevel

router = APIRouter(prefix="/api/v1", tags=["registry"])


class RegistryNodeView(View):
    """A node of the cascade (``nodes.Node``)."""

    code: str
    name: str
    level: NodeLevel
    parent_code: str | None
    division_code: str | None
    endpoint: str | None = Field(validation_alias="endpoint_url")
    public_url: str | None = Field(default=None, description="where people reach the node")


class PersonView(View):
    """A resident's registration record (``population.Person``)."""

    id_number: str
    name: str
    sex: population.Sex
    birth_date: dt.date
    household_no: str | None
    address_code: str


@router.get("/nodes")
def list_nodes(
    session: SessionDep,
    _: Annotated[Principal, Depends(allow(*ALL_ROLES))],
    level: NodeLevel | None = None,
    parent: Annotated[str | None, Query(max_length=32)] = None,
) -> list[RegistryNodeView]:
    """Nodes of the 1+16+N cascade known to this node, filtered by level or parent."""
    found = nodes.list_nodes(session, level=level, parent=parent)
    return [RegistryNodeView.model_validate(n) for n in found]


@router.get("/people/{id_number}")
def get_person(
    id_number: str,
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.APPLICANT, Role.DEPARTMENT_ADMIN))],
) -> PersonView:
    """A resident's registration record (户籍), read by the person themselves or by the public
    security organ that keeps the register; every other party asks a verification question
    and gets only the answer it needs (《个人信息保护法》第六条, minimum necessary)."""
    parsed = parse_resident_id(id_number)
    if principal.role is Role.APPLICANT and principal.subject != parsed.number:
        raise Forbidden("只能查看本人的户籍信息（an applicant may read only their own record）")
    if (
        principal.role is Role.DEPARTMENT_ADMIN
        and acting_department(session, principal) is not DepartmentKind.GA
    ):
        raise Forbidden(
            "户籍信息由公安机关管理，其他部门请通过核验问题查询"
            "（only the public security organ reads registration records; ask a question）",
            field="org",
        )
    return PersonView.model_validate(population.get_person(session, parsed.number))
