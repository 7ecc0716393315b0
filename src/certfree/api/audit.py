"""HTTP routes of the node's audit log (an RFC 9162 Merkle tree): signed heads, proofs, entries.

Who sees what: a tree head and a consistency proof are hashes and sizes only, so anyone may
fetch them (that is what lets outsiders hold the node to its log). Entries name people and
answers, so only auditors (``cio``, ``bureau_admin``) and other nodes read them; an applicant
reads the entries about themselves (token ``sub`` = their ID number), each with its proof
against a tree head signed in the same request.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from certfree import governance
from certfree.api.deps import PUBLIC, SQL_INT_MAX, NodeDep, PathIndex, SessionDep, allow
from certfree.assembly import NodeRuntime
from certfree.auth import Principal, Role
from certfree.errors import AuthError
from certfree.exchange.questions import subject_accesses
from certfree.governance import subject_rights

router = APIRouter(prefix="/api/v1", tags=["audit"])

_Auditor = Annotated[Principal, Depends(allow(Role.CIO, Role.BUREAU_ADMIN, Role.NODE))]
_Applicant = Annotated[Principal, Depends(allow(Role.APPLICANT))]
_minted = HTTPBearer(
    auto_error=False, description="a token the citizen's home node minted for this node"
)


class TreeHeadView(BaseModel):
    node: str
    tree_size: int
    root_hash: str = Field(description="MTH of the log, hex (RFC 6962 §2.1)")
    timestamp: int = Field(description="milliseconds since 1970-01-01T00:00:00Z")
    signed: str = Field(description="compact JWS (typ certfree-sth+jwt) by the node key")


class ConsistencyView(BaseModel):
    first: int
    second: int
    proof: list[str] = Field(description="PROOF(first, D[0:second]), hex (RFC 6962 §2.1.2)")


class AuditEntryView(BaseModel):
    leaf_index: int
    record: dict[str, Any]
    leaf: str = Field(description="the exact leaf: hash SHA-256(0x00 || UTF-8 of this)")
    leaf_hash: str
    tree_size: int
    inclusion_proof: list[str] = Field(description="PATH(leaf_index, D[0:tree_size]), hex")
    subjects: dict[str, str] = Field(
        description="subject id → salt (hex); the leaf holds SHA-256(salt || id)"
    )


class AuditEntryWithHead(BaseModel):
    head: TreeHeadView
    entry: AuditEntryView


class SubjectAccessView(AuditEntryView):
    kind: str
    consumer: str = Field(description="node that asked")
    provider: str = Field(description="node that answered")
    question: str | None
    service_item: str | None
    at: str
    answer: dict[str, Any] | None


class SubjectAccesses(BaseModel):
    subject: str
    head: TreeHeadView
    accesses: list[SubjectAccessView]


class NodeAccessesView(BaseModel):
    node: str
    status: Literal["ok", "unreachable", "refused", "invalid"] = Field(
        description="ok: signed head and every proof checked by the home node"
    )
    detail: str | None = Field(None, description="why a node is not ok")
    subject: str | None = None
    head: TreeHeadView | None = None
    accesses: list[SubjectAccessView] = Field(default_factory=list)


class CascadeAccesses(BaseModel):
    subject: str
    registry_problem: str | None = Field(
        None, description="set when the node registry could not be had: this node only"
    )
    nodes: list[NodeAccessesView]


def _head(node: NodeDep, session: SessionDep) -> governance.SignedTreeHead:
    return governance.sign_tree_head(session, node.keys, node.settings.node_code)


@router.get("/audit/head", openapi_extra=PUBLIC)
def tree_head(node: NodeDep, session: SessionDep) -> TreeHeadView:
    """The log's current size and root, signed now by this node."""
    return TreeHeadView.model_validate(_head(node, session).to_json())


@router.get("/audit/consistency", openapi_extra=PUBLIC)
def consistency(
    session: SessionDep,
    first: Annotated[
        int,
        Query(ge=1, le=SQL_INT_MAX, description="size of the older head (RFC 9162 §2.1.4: 0 < m)"),
    ],
    second: Annotated[
        int | None, Query(ge=0, le=SQL_INT_MAX, description="newer size; default current")
    ] = None,
) -> ConsistencyView:
    """Proof that the log of size ``second`` extends the one of size ``first`` unchanged."""
    size = second if second is not None else governance.current_head(session).tree_size
    proof = governance.consistency_proof(session, first, size)
    return ConsistencyView(first=first, second=size, proof=[node.hex() for node in proof])


@router.get("/audit/entries/{index}")
def audit_entry(
    index: PathIndex,
    node: NodeDep,
    session: SessionDep,
    principal: _Auditor,
    tree_size: Annotated[
        int | None, Query(ge=0, le=SQL_INT_MAX, description="default: the signed head's")
    ] = None,
) -> AuditEntryWithHead:
    """One entry, every subject disclosed, with its inclusion proof and a signed head. Read
    by another node, the read is logged for each person the entry names."""
    head = _head(node, session)
    entry = governance.entry_with_proof(
        session, index, head.tree_size if tree_size is None else tree_size
    )
    if principal.role is Role.NODE:
        for subject in entry.to_json()["subjects"]:
            subject_rights.log_read(
                session,
                subject,
                reader=principal.organisation or principal.subject,
                node=node.settings.node_code,
                what=f"audit_entry:{index}",
            )
    return AuditEntryWithHead(
        head=TreeHeadView.model_validate(head.to_json()),
        entry=AuditEntryView.model_validate(entry.to_json()),
    )


def _accesses(node: NodeRuntime, session: Session, subject: str) -> SubjectAccesses:
    head = _head(node, session)
    accesses = []
    for entry in governance.accesses_of(session, subject, head.tree_size):
        shown = entry.to_json()
        record = shown["record"]
        accesses.append(
            SubjectAccessView.model_validate(
                {
                    **shown,
                    **{name: record[name] for name in ("kind", "consumer", "provider", "at")},
                    "question": record["question"],
                    "service_item": record["service_item"],
                    "answer": record["outcome"],
                }
            )
        )
    return SubjectAccesses(
        subject=subject, head=TreeHeadView.model_validate(head.to_json()), accesses=accesses
    )


def _accesses_here(node: NodeRuntime, subject: str) -> SubjectAccesses:
    with node.db.session() as session:
        return _accesses(node, session, subject)


@router.get("/me/accesses")
def my_accesses(node: NodeDep, session: SessionDep, principal: _Applicant) -> SubjectAccesses:
    """Every use of the caller's data logged by this node: who asked which question, for
    which service item, when, and the answer given — each provable against the signed head."""
    return _accesses(node, session, principal.subject)


@router.get("/me/accesses/cascade")
async def my_accesses_everywhere(node: NodeDep, principal: _Applicant) -> CascadeAccesses:
    """The caller's accesses in the log of every active node of the cascade, this one first.

    Each other node is asked with a token minted for it alone; its signed head and every
    proof are checked here. A node that is down is listed as unreachable, not waited on.
    """
    here, (others, registry_problem) = await asyncio.gather(
        node.exchange.in_thread(_accesses_here, node, principal.subject),
        subject_accesses.gather_accesses(node.exchange, node.tokens, principal.subject),
    )
    return CascadeAccesses(
        subject=principal.subject,
        registry_problem=registry_problem,
        nodes=[
            NodeAccessesView(node=node.settings.node_code, status="ok", **here.model_dump()),
            *(
                NodeAccessesView(
                    node=found.node, status=found.status, detail=found.detail, **(found.view or {})
                )
                for found in others
            ),
        ],
    )


async def _peer_applicant(
    node: NodeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_minted)]
) -> Principal:
    if credentials is None:
        raise AuthError("a bearer token minted for this node by another is required")
    return await subject_accesses.authenticate_peer_token(
        node.exchange, node.tokens, credentials.credentials
    )


_peer_applicant.certfree_roles = frozenset({Role.APPLICANT})  # type: ignore[attr-defined]


@router.get(subject_accesses.PEER_PATH.removeprefix("/api/v1"))
async def accesses_for_a_peer(
    node: NodeDep, principal: Annotated[Principal, Depends(_peer_applicant)]
) -> SubjectAccesses:
    """A citizen's entries in this node's log, for their home node (a token it minted for
    this node, checked against the node registry). The read is itself logged, naming the
    citizen and the reading node, so they see who read their log (shown from the next read)."""
    shown = await node.exchange.in_thread(_accesses_here, node, principal.subject)
    await node.exchange.in_thread(_log_read, node, principal.subject, principal.issuer)
    return shown


def _log_read(node: NodeRuntime, subject: str, reader: str) -> None:
    with node.db.session() as session:
        subject_rights.log_read(
            session, subject, reader=reader, node=node.settings.node_code, what="subject_accesses"
        )
