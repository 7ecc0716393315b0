"""HTTP route of the catalog change feed that the province harvests incrementally.

``GET /catalog/changes?since=<cursor>&limit=<n>`` answers a harvesting node whose request is
signed with its node key (``Authorization: Bearer <certfree-harvest+jwt>``, checked against
the signed node registry; see ``catalog.changes`` for why a signed request rather than a
token), or an operator of this node with a ``bureau_admin`` token. No credential: 401.
"""

from __future__ import annotations

from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Depends, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field

from certfree import catalog
from certfree.api.catalog import ResourceView
from certfree.api.deps import SQL_INT_MAX, NodeDep
from certfree.api.views import View, omitted_if_none
from certfree.assembly import NodeRuntime
from certfree.auth import Role, require_role
from certfree.errors import AuthError

router = APIRouter(prefix="/api/v1", tags=["catalog"])
_bearer = HTTPBearer(
    auto_error=False, description="a signed harvest request, or a bureau_admin token"
)


async def _reader(
    node: NodeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    since: Annotated[
        int, Query(ge=0, le=SQL_INT_MAX, description="cursor: the last sequence number held")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=catalog.MAX_PAGE)] = 500,
) -> str:
    """Who reads the feed: the harvesting node's code, or ``token:<subject>``."""
    if credentials is None:
        raise AuthError("a bearer token is required (Authorization: Bearer <token>)")
    token = credentials.credentials
    if not catalog.is_harvest_request(token):
        principal = node.tokens.authenticate(token)
        require_role(principal, frozenset({Role.BUREAU_ADMIN}))
        return f"token:{principal.subject}"
    runtime = node.exchange
    directory = await runtime.directory()
    if directory.peer(catalog.harvester_of(token)) is None:
        directory = await runtime.directory(missing="harvester")  # registered since
    return catalog.verify_harvest_request(
        token,
        directory,
        node=node.settings.node_code,
        since=since,
        limit=limit,
        now=runtime.clock(),
        skew=node.settings.exchange_clock_skew,
    )


class CatalogChange(View):
    """One change of the feed: a resource as it now stands, or the tombstone of a deleted one."""

    seq: int
    origin: str = Field(description="the node whose catalog changed")
    op: Literal["upsert", "delete"]
    code: str
    resource: ResourceView | None = omitted_if_none("the resource (op upsert)")
    deleted_at: str | None = omitted_if_none("when it was deleted (op delete)")


class CatalogChangePage(View):
    """Changes after ``since`` in sequence order (``catalog.ChangePage``)."""

    node: str
    feed: str = Field(description="the feed's id: a new id means start again from 0")
    since: int
    next: int = Field(description="the cursor to ask from next")
    more: bool
    changes: list[CatalogChange]


_reader.certfree_roles = frozenset({Role.NODE, Role.BUREAU_ADMIN})  # type: ignore[attr-defined]


@router.get("/catalog/changes")
async def changes(
    node: NodeDep,
    _: Annotated[str, Depends(_reader)],
    since: Annotated[
        int, Query(ge=0, le=SQL_INT_MAX, description="cursor: the last sequence number held")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=catalog.MAX_PAGE)] = 500,
) -> CatalogChangePage:
    """This node's own resource changes after ``since``: full resources and tombstones, in
    sequence order, with the cursor to ask from next (``next``) and whether more remain."""

    def read(current: NodeRuntime) -> CatalogChangePage:
        with current.db.session() as session:
            page = catalog.changes_since(session, current.settings.node_code, since, limit)
            return CatalogChangePage.model_validate(page)

    return await anyio.to_thread.run_sync(read, node)
