"""HTTP routes for certificate use: the holder's verification log and short codes.

Who sees a log: the holder (applicant token, ``sub`` = ID number) their own records; a
``department_admin`` the records of certificates its organ (token ``org``) issued; a
``bureau_admin`` any certificate's. There is no route that changes or deletes a record.

The short-code routes are rate limited (``certs.usage.limits``, 429 with Retry-After): the
count is written in a transaction of its own before the route's work, so a refused or failed
redemption still counts. The client address is the socket peer, which uvicorn replaces with
X-Forwarded-For only for trusted proxies (``--forwarded-allow-ips``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from certfree.api.certs import acting_organ
from certfree.api.deps import PUBLIC, NodeDep, SessionDep, allow, rate_limited
from certfree.api.verification import CredentialVerificationView, use_context
from certfree.auth import Principal, Role
from certfree.certs import (
    SHORT_CODE_TTL,
    CertificateUse,
    ShortCodeNotFound,
    UseChannel,
    certificate_of_issuer,
    describe_use,
    issue_short_code,
    limit_issue,
    limit_redeem,
    record_miss,
    redeem_and_verify,
    uses_of_certificate,
    uses_of_holder,
)
from certfree.errors import InvalidInput
from certfree.governance.relying_parties import check_disclosed

router = APIRouter(prefix="/api/v1", tags=["certificate use"])

_Redeemer = Annotated[Principal, Depends(allow(Role.VERIFIER, Role.CLERK))]


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@rate_limited
def _limit_issue(request: Request, node: NodeDep) -> None:
    with node.db.session() as session:  # committed before the route's own transaction
        limit_issue(session, _address(request))


@rate_limited
def _limit_redeem(code: str, request: Request, node: NodeDep, principal: _Redeemer) -> None:
    with node.db.session() as session:  # committed even when the redemption then fails
        limit_redeem(session, code, address=_address(request), verifier=principal.subject)


class ShortCodeRequest(BaseModel):
    presentation: str = Field(
        max_length=64 * 1024, description="SD-JWT VC + KB-JWT (compact), made by the wallet"
    )


class ShortCodeView(BaseModel):
    code: str
    expires_in: int
    expires_at: dt.datetime
    redeem_url: str


class ShortCodeRedeemRequest(BaseModel):
    audience: str = Field(min_length=1, max_length=255, description="as the KB-JWT names it")
    nonce: str = Field(min_length=1, description="the nonce the verifier gave the holder")
    purpose: str | None = Field(None, max_length=255, description="用途, shown to the holder")


class CertificateUseView(BaseModel):
    used_at: dt.datetime
    certificate_id: str
    type_code: str | None
    issuer: str | None
    holder_id: str | None
    verifier: str
    verifier_org: str | None
    channel: str
    audience: str
    purpose: str | None
    disclosed: list[str]
    valid: bool
    reasons: list[str]
    description: str

    @classmethod
    def of(cls, use: CertificateUse) -> CertificateUseView:
        return cls(
            used_at=use.used_at,
            certificate_id=use.certificate_id,
            type_code=use.type_code,
            issuer=use.issuer,
            holder_id=use.holder_id,
            verifier=use.verifier,
            verifier_org=use.verifier_org,
            channel=use.channel.value,
            audience=use.audience,
            purpose=use.purpose,
            disclosed=list(use.disclosed),
            valid=use.valid,
            reasons=list(use.reasons),
            description=describe_use(use),
        )


@router.post(
    "/short-codes",
    status_code=201,
    openapi_extra=PUBLIC,
    dependencies=[Depends(_limit_issue)],
)
def create_short_code(
    body: ShortCodeRequest, node: NodeDep, session: SessionDep, request: Request
) -> ShortCodeView:
    """Park a finished presentation under a one-time code (online mode, low-end phones).

    Public: the holder's phone has no token, and the presentation is already bound to the
    verifier's nonce and audience by the holder's key, so a parked one is useless elsewhere.
    429 ``too-many-requests`` beyond 20 a minute from one address.
    """
    record = issue_short_code(session, body.presentation)
    return ShortCodeView(
        code=record.code,
        expires_in=SHORT_CODE_TTL,
        expires_at=record.expires_at,
        # Absolute links name the node's public URL, never the request's Host header.
        redeem_url=node.settings.base_url
        + request.app.url_path_for("redeem_short_code", code=record.code),
    )


@router.post("/short-codes/{code}/redeem", dependencies=[Depends(_limit_redeem)])
def redeem_short_code(  # noqa: PLR0917 - FastAPI injects each dependency as a parameter
    code: str,
    body: ShortCodeRedeemRequest,
    request: Request,
    node: NodeDep,
    session: SessionDep,
    principal: _Redeemer,
) -> CredentialVerificationView:
    """Redeem a short code once and verify its presentation as ``/verifications`` does.

    409 ``short-code-used`` on the second redeem, ``short-code-expired`` after 120 s, 404 for
    an unknown code. The use is logged for the holder whatever the result. 429
    ``too-many-requests`` beyond 30 redeems a minute per address or verifier account, 5 per
    code, or after 10 unknown codes in 10 minutes (guessing codes).
    """
    context = use_context(principal, body.audience, body.purpose, UseChannel.SHORT_CODE)
    try:
        result = redeem_and_verify(session, node.keys, code, context, nonce=body.nonce)
    except ShortCodeNotFound:
        with node.db.session() as miss:  # committed, though this request's work rolls back
            record_miss(miss, address=_address(request), verifier=principal.subject)
        raise
    # A registered verifier's scenario bounds what it receives (the use rolls back if not).
    check_disclosed(session, principal.organisation, result.disclosed, result.vct)
    return CredentialVerificationView.model_validate(result.to_json())


@router.get("/me/certificate-uses")
def my_certificate_uses(
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.APPLICANT))],
) -> list[CertificateUseView]:
    """Every verification of the caller's certificates through the platform, newest first."""
    return [CertificateUseView.of(use) for use in uses_of_holder(session, principal.subject)]


@router.get("/certificate-uses")
def certificate_uses(
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN))],
    certificate: Annotated[str, Query(description="GB/T 36904 identifier")] = "",
) -> list[CertificateUseView]:
    """The log of one certificate: an organ's own certificates, any for the bureau."""
    if not certificate.strip():
        raise InvalidInput("须给出证照标识 certificate", field="certificate")
    if principal.role is Role.DEPARTMENT_ADMIN:
        certificate_of_issuer(session, certificate, acting_organ(session, principal))
    return [CertificateUseView.of(use) for use in uses_of_certificate(session, certificate)]
