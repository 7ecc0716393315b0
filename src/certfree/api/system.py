"""Node identity, health and public keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from certfree import __version__
from certfree.api.deps import PUBLIC, NodeDep, allow
from certfree.auth import ALL_ROLES, NODE_KEY_OWNER, Principal, Role
from certfree.crypto import SM2_JOSE_PROFILE
from certfree.storage import migrate

router = APIRouter()


class Health(BaseModel):
    status: str
    database: str
    schema_revision: str | None
    schema_current: bool


class Sm2JwkProfile(BaseModel):
    kty: str
    crv: str
    x: str
    y: str
    kid: str


class Sm2JoseProfile(BaseModel):
    """How this node uses SM2 in JOSE (``crypto.SM2_JOSE_PROFILE``; docs/sm2-jose-profile.md)."""

    model_config = ConfigDict(extra="forbid")

    profile: str
    iana_registered: bool
    document: str
    alg: str
    jwk: Sm2JwkProfile
    curve: str
    digest: str
    user_id: str
    user_id_source: str
    message: str
    signing: str
    signature: str


class JwkSet(BaseModel):
    """RFC 7517 §5 JWK Set."""

    keys: list[dict[str, Any]] = Field(description="RFC 7517 §4 JWKs: public keys only")


class SignatureAlgorithm(BaseModel):
    """A JWS ``alg`` this node's seals use, and where it is defined."""

    alg: str
    iana_registered: bool = Field(description="in the IANA JOSE registry (RFC 7518 §7.1)")
    specification: str
    default_seal: bool = Field(
        description="issuing organs seal with it by default; false: an SM2 seal on request"
    )
    profile: str | None = Field(None, description="our JOSE profile's name, if not registered")
    profile_url: str | None = Field(None, description="the profile's parameters (JSON)")


class NodeIdentity(BaseModel):
    code: str
    name: str
    level: str
    parent_url: str | None
    environment: str
    version: str
    key_ids: list[str]
    active_key_id: str | None
    signature_algorithms: list[SignatureAlgorithm]
    registry_serial: int | None = Field(
        default=None,
        description="serial of the signed node registry this node uses now (null: none loaded)",
    )


_SM2_PROFILE_PATH = "/api/v1/node/jose-profiles/sm2"
# Default seals use registered algorithms, so any relying party can verify a credential;
# SM2 (GB/T 32918.2) is sealed on request beside them (certfree.certs.issuers).
_SIGNATURE_ALGORITHMS = [
    SignatureAlgorithm(
        alg="EdDSA", iana_registered=True, specification="RFC 8037 (Ed25519)", default_seal=True
    ),
    SignatureAlgorithm(
        alg="ES256", iana_registered=True, specification="RFC 7518 §3.4", default_seal=True
    ),
    SignatureAlgorithm(
        alg="SM2",
        iana_registered=False,
        specification="GB/T 32918.2-2016 with SM3; " + SM2_JOSE_PROFILE["document"],
        default_seal=False,
        profile=SM2_JOSE_PROFILE["profile"],
        profile_url=_SM2_PROFILE_PATH,
    ),
]


class KeyView(BaseModel):
    kid: str
    owner: str
    alg: str
    status: str
    created_at: str
    retired_at: str | None
    public_jwk: dict[str, str]


class WhoAmI(BaseModel):
    subject: str
    role: str
    issuer: str
    organisation: str | None


@router.get(
    "/healthz",
    tags=["system"],
    openapi_extra=PUBLIC,
    response_model=Health,
    responses={503: {"model": Health, "description": "the database or its schema is not ready"}},
)
def healthz(node: NodeDep) -> JSONResponse:
    """Liveness and readiness: the database answers and its schema is at the newest revision."""
    try:
        with node.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = migrate.current_revision(node.db)
        current = revision == migrate.head_revision(node.db)
        health = Health(
            status="ok" if current else "degraded",
            database="ok",
            schema_revision=revision,
            schema_current=current,
        )
    except Exception as exc:  # any database failure means "not ready"
        health = Health(
            status="unavailable",
            database=f"error: {type(exc).__name__}",
            schema_revision=None,
            schema_current=False,
        )
    return JSONResponse(health.model_dump(), status_code=200 if health.status == "ok" else 503)


@router.get("/api/v1/node", tags=["system"], openapi_extra=PUBLIC)
def node_identity(node: NodeDep) -> NodeIdentity:
    """Who this node is in the 1+16+N cascade, which keys seal its answers, and the
    signature algorithms of its seals (SM2 is our JOSE profile, described at profile_url)."""
    keys = node.keys.keys(NODE_KEY_OWNER)
    return NodeIdentity(
        code=node.settings.node_code,
        name=node.settings.node_name,
        level=node.settings.node_level.value,
        parent_url=node.settings.parent_url,
        environment=node.settings.environment.value,
        version=__version__,
        key_ids=[k.kid for k in keys],
        active_key_id=node.keys.active(NODE_KEY_OWNER).kid if keys else None,
        signature_algorithms=_SIGNATURE_ALGORITHMS,
        registry_serial=cached.serial if (cached := node.exchange.registry.cached) else None,
    )


@router.get(_SM2_PROFILE_PATH, tags=["system"], openapi_extra=PUBLIC, response_model=Sm2JoseProfile)
def sm2_jose_profile() -> JSONResponse:
    """How this node uses SM2 in JOSE (not IANA-registered): key, user ID, digest, encoding."""
    return JSONResponse(SM2_JOSE_PROFILE, headers={"Cache-Control": "public, max-age=86400"})


@router.get(
    "/.well-known/jwks.json",
    tags=["system"],
    openapi_extra=PUBLIC,
    response_class=Response,
    responses={
        200: {
            "description": "RFC 7517 JWK Set",
            "content": {"application/jwk-set+json": {"schema": JwkSet.model_json_schema()}},
        }
    },
)
def jwks(node: NodeDep) -> JSONResponse:
    """Public keys of this node and its issuers, active and retired (RFC 7517 §5)."""
    return JSONResponse(
        node.keys.jwks(),
        media_type="application/jwk-set+json",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/api/v1/whoami", tags=["system"])
def whoami(principal: Annotated[Principal, Depends(allow(*ALL_ROLES))]) -> WhoAmI:
    """The caller as this node sees the bearer token."""
    return WhoAmI(
        subject=principal.subject,
        role=principal.role.value,
        issuer=principal.issuer,
        organisation=principal.organisation,
    )


@router.get("/api/v1/keys", tags=["system"])
def list_keys(
    node: NodeDep,
    _: Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN, Role.CIO))],
) -> list[KeyView]:
    """Every signing key in the node's key store with its status (private parts never leave)."""
    return [KeyView.model_validate(info.to_json()) for info in node.keys.keys()]  # noqa: SIM118
