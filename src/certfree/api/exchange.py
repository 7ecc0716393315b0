"""HTTP routes of the exchange (thin: parse, call the runtime, format).

Node-to-node hops (``POST /exchange/messages``) are served by :mod:`certfree.api.hop_endpoint`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from certfree.api.deps import PUBLIC, NodeDep, SessionDep, allow
from certfree.api.views import IsoTimestamp, View
from certfree.assembly import NodeRuntime
from certfree.auth import NODE_KEY_OWNER, Principal, Role
from certfree.crypto import Signer
from certfree.errors import Forbidden, NotFound
from certfree.exchange.protocol import registry, registry_serial, routing, transport
from certfree.exchange.questions import asking
from certfree.settings import NodeLevel

router = APIRouter(prefix="/api/v1", tags=["exchange"])

_Asker = Annotated[Principal, Depends(allow(Role.CLERK, Role.DEPARTMENT_ADMIN))]
_COMPACT_JWS = {"schema": {"type": "string", "description": "RFC 7515 §7.1 compact JWS"}}


class AskRequest(BaseModel):
    question: str = Field(description="question name, e.g. marital_status", max_length=64)
    provider: str = Field(description="provider node code, e.g. 370100-MZ", max_length=16)
    args: dict[str, Any] = Field(default_factory=dict, description="the question's arguments")
    service_item: str = Field(description="service item code (政务服务事项) the answer is for")
    purpose: str = Field(description="why the desk asks, in words", max_length=500)
    consents: list[Annotated[str, Field(max_length=8192)]] | None = Field(
        default=None,
        max_length=8,
        description="the data subjects' consent attestations (compact JWS signed by the "
        "province, POST /api/v1/consent/attestations there); the provider checks them",
    )
    message_id: uuid.UUID | None = Field(
        default=None, description="a UUID chosen by the desk; retrying with it is idempotent"
    )


class AskAnswer(BaseModel):
    question: str
    consumer: str
    provider: str
    message_id: str | None
    answer: dict[str, Any]
    answer_jws: str = Field(description="the provider's signed answer (compact JWS)")
    route: list[str] = Field(description="every node the question passed, desk to provider")
    hosted_by: str | None = Field(
        default=None,
        description="the node that answered for the provider, whose data it holds, and signed "
        "the answer (this node); null when the provider answered itself",
    )


@router.post("/exchange/ask", response_model=AskAnswer)
async def ask(payload: AskRequest, node: NodeDep, principal: _Asker) -> Response:
    """Ask a provider node one verification question for a service item; the signed answer.

    Only staff of this node ask from it: the token's ``org`` must be this node's code, since
    the answer is signed to and logged against this node as the consumer."""
    if (principal.organisation or "").strip().upper() != node.settings.node_code.upper():
        raise Forbidden(
            f"令牌所属机构（org={principal.organisation or '空'}）不是本节点 "
            f"{node.settings.node_code}，不能以本节点名义核验"
            f"（the token's org must be this node, {node.settings.node_code}）",
            field="org",
        )
    answer = await asking.ask(
        node.exchange,
        question=payload.question,
        provider=payload.provider,
        args=payload.args,
        service_item=payload.service_item,
        purpose=payload.purpose,
        consents=payload.consents or (),
        message_id=str(payload.message_id) if payload.message_id else None,
    )
    consumer, provider, signer = answer["consumer"], answer["provider"], answer["signer"]
    if signer != provider:  # a department this node hosts: answered here, no hop
        view = AskAnswer.model_validate(
            {**answer, "route": [consumer, provider], "hosted_by": signer}
        )
    else:
        view = AskAnswer.model_validate({**answer, "route": routing.path(consumer, provider)})
    # Serialised here, once: returned as a model, FastAPI would validate it a second time.
    return Response(view.model_dump_json(), media_type="application/json")


@router.get(
    registry.REGISTRY_PATH.removeprefix("/api/v1"),
    openapi_extra=PUBLIC,
    response_class=Response,
    responses={
        200: {"content": {transport.JOSE: _COMPACT_JWS}, "description": "signed node registry"}
    },
)
async def signed_registry(node: NodeDep) -> Response:
    """The node registry signed by the province (only the province publishes it)."""
    return await _province_signed(
        node,
        lambda session, signer: registry.sign_registry(session, signer, node.settings.node_code),
    )


@router.get(
    registry_serial.SERIAL_PATH.removeprefix("/api/v1"),
    openapi_extra=PUBLIC,
    response_class=Response,
    responses={
        200: {"content": {transport.JOSE: _COMPACT_JWS}, "description": "signed registry serial"}
    },
)
async def signed_serial(node: NodeDep) -> Response:
    """The registry's serial alone, signed by the province: what every node polls every few
    seconds, fetching the registry only when it has grown."""
    return await _province_signed(node, registry_serial.sign_serial)


async def _province_signed(node: NodeRuntime, sign: Callable[[Session, Signer], str]) -> Response:
    """A document of the registry signed with the province's node key; 404 elsewhere."""
    if node.settings.node_level is not NodeLevel.PROVINCE:
        raise NotFound(f"节点 {node.settings.node_code} 不是省级节点，不发布节点注册表")

    def signed() -> str:
        with node.db.session() as session:
            return sign(session, node.keys.signer(NODE_KEY_OWNER))

    return Response(await anyio.to_thread.run_sync(signed), media_type=transport.JOSE)


class NodeRegistrationRequest(BaseModel):
    jwks: dict[str, Any] = Field(description="the node's public keys (RFC 7517 JWK Set)")
    endpoint_url: str = Field(
        description="where the node receives messages: its exchange listener, "
        "https://host:exchange_port"
    )
    tls_certificate: str | None = Field(
        default=None,
        description="the node's TLS certificate (PEM, naming urn:certfree:node:<code>); the "
        "registry binds its key. Unset: the key registered before is kept",
    )
    public_url: str | None = Field(
        default=None,
        description="where people reach the node (its CERTFREE_PUBLIC_URL); the endpoint takes "
        "nodes' certificates only. Unset: the one registered before is kept",
    )


class NodeRegistrationView(View):
    """A node in the province's signed registry (``nodes.Node``)."""

    code: str
    name: str
    level: NodeLevel
    parent: str | None = Field(validation_alias="parent_code")
    endpoint_url: str | None
    tls_fingerprint: str | None = Field(
        description="SHA-256 of its TLS certificate's public key (base64url), as bound"
    )
    public_url: str | None = Field(description="where people reach the node")
    status: str
    registered_at: IsoTimestamp | None


_Bureau = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN))]


def _province_only(node: NodeDep) -> None:
    if node.settings.node_level is not NodeLevel.PROVINCE:
        raise NotFound(f"节点 {node.settings.node_code} 不是省级节点，不管理节点注册表")


@router.post("/exchange/nodes/{code}/registration")
def register(
    code: str, payload: NodeRegistrationRequest, node: NodeDep, session: SessionDep, _: _Bureau
) -> NodeRegistrationView:
    """Record a node's public keys, endpoint and TLS key (pending until approved)."""
    _province_only(node)
    pin = (
        registry.certificate_fingerprint(payload.tls_certificate, code)
        if payload.tls_certificate is not None
        else None
    )
    row = registry.register_node(
        session,
        code,
        jwks=payload.jwks,
        endpoint_url=payload.endpoint_url,
        tls_fingerprint=pin,
        public_url=payload.public_url,
    )
    node.exchange.invalidate_registry()
    return NodeRegistrationView.model_validate(row)


@router.post("/exchange/nodes/{code}/approve")
def approve(code: str, node: NodeDep, session: SessionDep, _: _Bureau) -> NodeRegistrationView:
    """Approve a registered node: peers accept its messages from the next registry on."""
    _province_only(node)
    row = registry.approve_node(session, code)
    node.exchange.invalidate_registry()
    return NodeRegistrationView.model_validate(row)


@router.post("/exchange/nodes/{code}/revoke")
def revoke(code: str, node: NodeDep, session: SessionDep, _: _Bureau) -> NodeRegistrationView:
    """Revoke a node: peers refuse its messages (revoked_sender) from the next registry on."""
    _province_only(node)
    row = registry.revoke_node(session, code)
    node.exchange.invalidate_registry()
    return NodeRegistrationView.model_validate(row)
