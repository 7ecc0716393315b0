"""Dependencies every route uses: the node, a database session, and who is calling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator, Field
from sqlalchemy.orm import Session

from certfree import nodes
from certfree.assembly import NodeRuntime
from certfree.auth import Principal, Role, require_role
from certfree.errors import AuthError, Forbidden

_bearer = HTTPBearer(auto_error=False, description="certfree tokens issue --role ROLE")

PUBLIC: dict[str, Any] = {"x-certfree-public": True}
_Check = TypeVar("_Check", bound=Callable[..., Any])

# Every integer a client sends that reaches a column is bounded to SQL INTEGER (32-bit on
# PostgreSQL, ISO/IEC 9075 INTEGER), so a larger one is a 422, not a driver overflow.
SQL_INT_MAX = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=SQL_INT_MAX, description="record number")]
PathIndex = Annotated[int, Path(ge=0, le=SQL_INT_MAX)]
# In body models an exclusive bound: JSON Schema numbers are doubles, which hold 2^63 exactly.
Int64 = Annotated[int, Field(ge=-(2**63), lt=2**63)]


def _iso_text(value: Any) -> Any:
    """Dates arrive as ISO 8601 text; pydantic would read a JSON number as Unix time."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a date or time is ISO 8601 text (2026-12-07, 2026-12-07T10:00+08:00)")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_text)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_text)]


async def get_node(request: Request) -> NodeRuntime:
    # async: a sync dependency costs every request a thread-pool handoff for one attribute.
    node = request.app.state.node
    assert isinstance(node, NodeRuntime)
    return node


NodeDep = Annotated[NodeRuntime, Depends(get_node)]


def get_session(node: NodeDep) -> Iterator[Session]:
    with node.db.session() as session:
        yield session


# scope="function": the session commits when the route returns, before the response is sent,
# so a client that has its 2xx finds the change committed (and a failing commit is an error
# response, not a 200 for a change that was lost). The default scope commits after sending.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def allow(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that authenticates the bearer token and checks its role is in ``roles``."""
    allowed = frozenset(roles)

    async def _principal(
        node: NodeDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise AuthError("a bearer token is required (Authorization: Bearer <token>)")
        token = credentials.credentials
        if node.tokens.verifies_locally(token):
            # A signature check against a key in memory: cheaper than a thread handoff.
            principal = node.tokens.authenticate(token)
        else:  # the OIDC provider's keys may have to be fetched (blocking HTTP)
            principal = await run_in_threadpool(node.tokens.authenticate, token)
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


def rate_limited(check: _Check) -> _Check:
    """Mark a dependency that may answer 429, so that the OpenAPI document says so."""
    check.certfree_rate_limited = True  # type: ignore[attr-defined]  # read by document_roles
    return check


def document_roles(router: APIRouter) -> APIRouter:
    """Copy each route's allowed roles into its OpenAPI operation as ``x-certfree-roles``,
    and mark the rate-limited ones ``x-certfree-rate-limited``."""
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
            if getattr(dependant.call, "certfree_rate_limited", False):
                route.openapi_extra = {
                    **(route.openapi_extra or {}),
                    "x-certfree-rate-limited": True,
                }
            pending.extend(dependant.dependencies)
    return router


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A request's time with no offset is taken as UTC (times are stored in UTC)."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value
