"""Dependencies every route uses: the node, a database session, and who is calling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field
from sqlalchemy.orm import Session

from certfree import nodes
from certfree.app import Node
from certfree.auth import Principal, Role, require_role
from certfree.errors import AuthError, Forbidden

_bearer = HTTPBearer(auto_error=False, description="certfree tokens issue --role ROLE")

PUBLIC: dict[str, Any] = {"x-certfree-public": True}

# Every integer a client sends is bounded to what the database stores (a signed 64-bit
# BIGINT on PostgreSQL, INTEGER on SQLite), so a larger one is a 422, not a driver overflow.
INT64_MAX = 2**63 - 1
PathId = Annotated[int, Path(ge=1, le=INT64_MAX, description="record number")]
PathIndex = Annotated[int, Path(ge=0, le=INT64_MAX)]
# In body models an exclusive bound: JSON Schema numbers are doubles, which hold 2^63 exactly.
Int64 = Annotated[int, Field(ge=-(2**63), lt=2**63)]


def get_node(request: Request) -> Node:
    node = request.app.state.node
    assert isinstance(node, Node)
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def get_session(node: NodeDep) -> Iterator[Session]:
    with node.db.session() as session:
        yield session


# scope="function": the session commits when the route returns, before the response is sent,
# so a client that has its 2xx finds the change committed (and a failing commit is an error
# response, not a 200 for a change that was lost). The default scope commits after sending.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def allow(*roles: Role) -> Callable[..., Principal]:
    """A dependency that authenticates the bearer token and checks its role is in ``roles``."""
    allowed = frozenset(roles)

    def _principal(
        node: NodeDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise AuthError("a bearer token is required (Authorization: Bearer <token>)")
        principal = node.tokens.authenticate(credentials.credentials)
        return require_role(principal, allowed)

    _principal.certfree_roles = allowed  # type: ignore[attr-defined]  # read by document_roles
    return _principal


def acting_department(session: Session, principal: Principal) -> nodes.DepartmentKind | None:
    """The department kind a department admin acts for (its token's ``org``: a department node
    code or USCC); None for the bureau, which acts for all. Forbidden for any other caller."""
    if principal.role is Role.BUREAU_ADMIN:
        return None
    department = (
        nodes.department_of(session, principal.organisation)
        if principal.role is Role.DEPARTMENT_ADMIN and principal.organisation
        else None
    )
    if department is None:
        raise Forbidden(
            "令牌须注明所属部门（org 声明：部门节点编码如 370100-MZ，或其统一社会信用代码）"
            "（the token's org must name a department）",
            field="org",
        )
    return department


def document_roles(router: APIRouter) -> APIRouter:
    """Copy each route's allowed roles into its OpenAPI operation as ``x-certfree-roles``."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        pending = list(route.dependant.dependencies)
        while pending:
            dependant = pending.pop()
            roles = getattr(dependant.call, "certfree_roles", None)
            if roles is not None:
                route.openapi_extra = {
                    **(route.openapi_extra or {}),
                    "x-certfree-roles": sorted(r.value for r in roles),
                }
            pending.extend(dependant.dependencies)
    return router


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A request's time with no offset is taken as UTC (times are stored in UTC)."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value
