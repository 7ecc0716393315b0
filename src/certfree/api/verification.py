"""HTTP routes for verifying presented e-certificates (SD-JWT VC presentations with key
binding): the verification itself, and the signed trust list an offline verifier caches."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from certfree.api.deps import NodeDep, SessionDep, allow, rate_limited
from certfree.auth import Principal, Role
from certfree.certs import (
    TRUST_LIST_TYP,
    UseChannel,
    UseContext,
    limit_verify,
    node_trust_list,
    verify_and_record,
)
from certfree.governance.relying_parties import check_presentation

router = APIRouter(prefix="/api/v1", tags=["verification"])


class CredentialVerificationRequest(BaseModel):
    # Up to 1 MB is read, so that an oversized QR payload gets its own reason ("oversized",
    # above MAX_SD_JWT_LENGTH) in the result rather than a bare validation error.
    presentation: str = Field(max_length=1_000_000, description="SD-JWT VC + KB-JWT (compact)")
    audience: str = Field(
        min_length=1, max_length=255, description="the verifier's identifier the KB-JWT names"
    )
    nonce: str = Field(
        min_length=1, max_length=1024, description="the nonce the verifier gave the holder"
    )
    purpose: str | None = Field(None, max_length=255, description="用途, shown to the holder")
    scenario: str | None = Field(
        None,
        max_length=64,
        description="the scenario of a registered verifier (依赖方登记) this is verified for; "
        "a presentation disclosing beyond it is refused (403 relying-party-refused)",
    )


class FailedCheckView(BaseModel):
    check: str
    reason: str
    message: str
    message_zh: str


class CredentialVerificationView(BaseModel):
    valid: bool
    issuer: str | None
    vct: str | None
    disclosed: list[str]
    claims: dict[str, Any]
    derived: dict[str, Any] = Field(
        description="derived claims proved on the holder's device and checked here (端侧处理): "
        "age_at_least (years), resident_of (GB/T 2260 division, 2/4/6 digits)"
    )
    holder_jwk: dict[str, Any] | None
    status: int | None
    failed_checks: list[FailedCheckView]


def use_context(
    principal: Principal, audience: str, purpose: str | None, channel: UseChannel
) -> UseContext:
    """Who verifies (the token's subject and organisation), for whom, why, by which channel."""
    return UseContext(
        verifier=principal.subject,
        verifier_org=principal.organisation,
        audience=audience,
        purpose=purpose,
        channel=channel,
    )


_Verifier = Annotated[Principal, Depends(allow(Role.VERIFIER, Role.CLERK))]


@rate_limited
def _limit_verify(node: NodeDep, principal: _Verifier) -> None:
    with node.db.session() as session:  # committed even when the verification then fails
        limit_verify(session, principal.subject)


@router.post("/verifications", dependencies=[Depends(_limit_verify)])
def verify(
    body: CredentialVerificationRequest,
    node: NodeDep,
    session: SessionDep,
    principal: _Verifier,
) -> CredentialVerificationView:
    """Verify a presentation against this node's trust list and its own status lists.

    Always 200 for a presentation that could be read: ``valid`` false with each failed
    check's ``reason`` otherwise. Status lists of other nodes are not fetched from here
    (reason ``status_unavailable``); verify those with the CLI or library online. Each
    presentation is logged once per verifier for the holder (用证记录: claim names, never
    values); posting it again verifies again without a new record. 429
    ``too-many-requests`` beyond 120 verifications a minute per verifier account, or 10
    records of one certificate an hour.
    """
    check_presentation(session, principal.organisation, body.presentation, scenario=body.scenario)
    context = use_context(principal, body.audience, body.purpose, UseChannel.VERIFICATION)
    result = verify_and_record(session, node.keys, body.presentation, context, nonce=body.nonce)
    return CredentialVerificationView.model_validate(result.to_json())


@router.get(
    "/trust-list",
    response_class=Response,
    responses={
        200: {
            "description": "the trust list, a JWT sealed by the node key",
            "content": {f"application/{TRUST_LIST_TYP}": {"schema": {"type": "string"}}},
        }
    },
)
def trust_list(
    node: NodeDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.VERIFIER, Role.CLERK, Role.NODE))],
) -> Response:
    """The issuers' keys and status-list URIs, sealed by the node key (``trustlist+jwt``).

    An offline verifier saves it (``certfree certs trust-list --out FILE``). It is handed to
    registered verifiers (the province's relying parties), not published anonymously: the
    keys are also public in ``/.well-known/jwks.json``, but which organ owns which key and
    which lists exist is the province's statement to its verifiers.
    """
    token = node_trust_list(
        session, node.keys, publisher=node.settings.node_code, now=int(time.time())
    )
    return Response(
        token,
        media_type=f"application/{TRUST_LIST_TYP}",
        headers={"Cache-Control": "private, max-age=300"},
    )
