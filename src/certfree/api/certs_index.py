"""HTTP routes of the provincial certificate index (``certs.index``).

On every issuing node:

* ``GET /certs/index/feed?since=&limit=`` — its certificates' index entries after the cursor,
  with its signed trust list; for a harvesting node whose request is signed with its key
  (``Authorization: Bearer <certfree-cert-index+jwt>``, checked against the signed registry),
  or an operator with a bureau_admin token.

At the province:

* ``GET /me/certificates/index`` — the signed-in holder's own certificates from every node
  (one wallet across cities); the commitment is computed from the token's subject.
* ``GET /certs/index`` — entries without holder commitments: the bureau sees every node's;
  a token whose ``org`` names a node (a city's or department's admin) sees that node's only.
* ``GET /certs/index/status`` — where the harvest of each node stands (bureau).
* ``GET /certs/index/trust-list`` — the province's one signed trust list (``serial``).
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Depends, Query, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field

from certfree.api.deps import SQL_INT_MAX, NodeDep, SessionDep, allow
from certfree.api.views import View, omitted_if_none
from certfree.assembly import NodeRuntime
from certfree.auth import Principal, Role, require_role
from certfree.certs import TRUST_LIST_TYP
from certfree.certs import index as cert_index
from certfree.errors import AuthError
from certfree.nodes import feeds

router = APIRouter(prefix="/api/v1", tags=["certs"])
_bearer = HTTPBearer(
    auto_error=False, description="a signed index harvest request, or a bureau_admin token"
)
Since = Annotated[
    int, Query(ge=0, le=SQL_INT_MAX, description="cursor: the last sequence number held")
]
Limit = Annotated[int, Query(ge=1, le=cert_index.MAX_PAGE)]


async def _reader(
    node: NodeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    since: Since = 0,
    limit: Limit = 500,
) -> str:
    """Who reads the feed: the harvesting node's code, or ``token:<subject>``."""
    if credentials is None:
        raise AuthError("a bearer token is required (Authorization: Bearer <token>)")
    token = credentials.credentials
    if not feeds.is_feed_request(token, cert_index.INDEX_FEED_TYP):
        principal = node.tokens.authenticate(token)
        require_role(principal, frozenset({Role.BUREAU_ADMIN}))
        return f"token:{principal.subject}"
    runtime = node.exchange
    directory = await runtime.directory()
    if directory.peer(feeds.feed_requester(token)) is None:
        directory = await runtime.directory(missing="harvester")  # registered since
    return feeds.verify_feed_request(
        token, directory, typ=cert_index.INDEX_FEED_TYP, node=node.settings.node_code,
        since=since, limit=limit, now=runtime.clock(), skew=node.settings.exchange_clock_skew,
    )  # fmt: skip


_reader.certfree_roles = frozenset({Role.NODE, Role.BUREAU_ADMIN})  # type: ignore[attr-defined]


class IndexFeedEntry(View):
    """One certificate as the index knows it: no face data, the holder as a commitment."""

    seq: int
    identifier: str
    type_code: str
    type_name: str
    issuer_uscc: str
    issuer_node: str | None
    version: int
    status: Literal["issued", "suspended", "revoked"]
    revocation_reason: str | None
    status_changed_at: str | None
    issued_at: str
    valid_from: str
    valid_to: str | None
    superseded_by: str | None
    holder_commitment: str = Field(description="HMAC-SHA256 of the holder code, index key")


class IndexFeedPage(View):
    """Entries after ``since`` in sequence order (``certs.index.IndexPage``)."""

    node: str
    feed: str = Field(description="the feed's id: a new id means start again from 0")
    since: int
    next: int = Field(description="the cursor to ask from next")
    more: bool
    entries: list[IndexFeedEntry]
    trust_list: str = Field(description="the node's trust list (trustlist+jwt)")


@router.get("/certs/index/feed")
async def index_feed(
    node: NodeDep, _: Annotated[str, Depends(_reader)], since: Since = 0, limit: Limit = 500
) -> IndexFeedPage:
    """This node's certificates' index entries after ``since``, in sequence order, with the
    cursor to ask from next and its signed trust list."""

    def read(current: NodeRuntime) -> IndexFeedPage:
        page = cert_index.index_page(
            current.db, current.keys, current.settings.node_code, current.settings.index_key,
            since=since, limit=limit,
        )  # fmt: skip
        return IndexFeedPage.model_validate(page.as_json())

    return await anyio.to_thread.run_sync(read, node)


class IndexEntryView(View):
    """A certificate in the province's index (no face data, no holder code)."""

    identifier: str
    node: str = Field(description="the node that reported it")
    type_code: str
    type_name: str
    issuer_uscc: str
    issuer_node: str | None
    version: int
    status: Literal["issued", "suspended", "revoked", "expired"]
    revocation_reason: str | None
    status_changed_at: str | None
    issued_at: str
    valid_from: str
    valid_to: str | None
    superseded_by: str | None
    harvested_at: str
    node_url: str | None = omitted_if_none("the reporting node, where the holder fetches it")
    certificate_url: str | None = omitted_if_none("GET it there with the holder's token")


@router.get("/me/certificates/index")
def my_index(
    node: NodeDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.APPLICANT))],
    current: Annotated[bool, Query(description="leave out superseded versions")] = True,
) -> list[IndexEntryView]:
    """The signed-in holder's certificates from every node of the cascade, newest first."""
    rows = cert_index.holder_entries(
        session, node.settings.index_key, principal.subject, current_only=current
    )
    return [IndexEntryView.model_validate(row) for row in rows]


@router.get("/certs/index")
def issued(
    session: SessionDep,
    principal: Annotated[
        Principal, Depends(allow(Role.BUREAU_ADMIN, Role.CIO, Role.DEPARTMENT_ADMIN))
    ],
    *,
    node: Annotated[str | None, Query(max_length=16, description="reporting node")] = None,
    type_code: Annotated[str | None, Query(max_length=21)] = None,
    limit: Annotated[int, Query(ge=1, le=cert_index.MAX_LIST)] = 100,
    offset: Annotated[int, Query(ge=0, le=SQL_INT_MAX)] = 0,
) -> list[IndexEntryView]:
    """Indexed certificates: every node's for the bureau; a node's own for its bureau or
    CIO (a token whose ``org`` is the node's code); an organ's own for its department admin
    (``org``: the organ's department node code, such as 370100-GA)."""
    node, organ = cert_index.issued_scope(principal, node)
    rows = cert_index.issued_entries(
        session, node=node, organ=organ, type_code=type_code, limit=limit, offset=offset
    )
    return [IndexEntryView.model_validate(row) for row in rows]


class IndexNodeState(View):
    node: str
    cursor: int
    last_status: str | None
    last_ok_at: str | None
    last_attempt_at: str | None
    last_error: str | None
    entries: int
    issuers: int


@router.get("/certs/index/status")
def index_status(
    session: SessionDep, _: Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN))]
) -> list[IndexNodeState]:
    """Where the harvest of each node's index stands."""
    return [IndexNodeState.model_validate(row) for row in cert_index.index_states(session)]


@router.get(
    "/certs/index/trust-list",
    response_class=Response,
    responses={
        200: {
            "description": "the province's trust list, a JWT sealed by its node key",
            "content": {f"application/{TRUST_LIST_TYP}": {"schema": {"type": "string"}}},
        }
    },
)
def province_trust_list(
    node: NodeDep,
    session: SessionDep,
    _: Annotated[
        Principal, Depends(allow(Role.VERIFIER, Role.CLERK, Role.NODE, Role.BUREAU_ADMIN))
    ],
) -> Response:
    """Every active issuer key of the cascade in one list, with ``serial``, ``iat`` and
    ``exp``, sealed by the province's node key: a verifier anywhere checks a certificate
    from any city offline with this one saved file."""
    token = cert_index.province_trust_list(
        session, node.keys, publisher=node.settings.node_code, now=int(time.time())
    )
    return Response(
        token,
        media_type=f"application/{TRUST_LIST_TYP}",
        headers={"Cache-Control": "private, max-age=300"},
    )
