"""HTTP routes for certificate use: the holder's verification log and short codes.

Who sees a log: the holder (applicant token, ``sub`` = ID number) their own records; a
``department_admin`` the records of certificates its organ (token ``org``) issued; a
``bureau_admin`` any certificate's. There is no route that changes or deletes a record.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from certfree.api.deps import PUBLIC, NodeDep, SessionDep, allow
from certfree.api.verification import VerificationView
from certfree.auth import Principal, Role
from certfree.certs import (
    SHORT_CODE_TTL,
    CertificateUse,
    UseChannel,
    UseContext,
    describe_use,
    find_issuer,
    get_certificate,
    issue_short_code,
    redeem_and_verify,
    uses_of_certificate,
)
from certfree.certs import uses_of_holder as holder_uses
from certfree.errors import Forbidden, InvalidInput

router = APIRouter(prefix="/api/v1", tags=["certificate use"])


class ShortCodeRequest(BaseModel):
    presentation: str = Field(
        max_length=64 * 1024, description="SD-JWT VC + KB-JWT (compact), made by the wallet"
    )


class ShortCodeView(BaseModel):
    code: str
    expires_in: int
    expires_at: dt.datetime
    redeem_url: str


class RedeemRequest(BaseModel):
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


@router.post("/short-codes", status_code=201, openapi_extra=PUBLIC)
def create_short_code(
    body: ShortCodeRequest, session: SessionDep, request: Request
) -> ShortCodeView:
    """Park a finished presentation under a one-time code (online mode, low-end phones).

    Public: the holder's phone has no token, and the presentation is already bound to the
    verifier's nonce and audience by the holder's key, so a parked one is useless elsewhere.
    """
    record = issue_short_code(session, body.presentation)
    return ShortCodeView(
        code=record.code,
        expires_in=SHORT_CODE_TTL,
        expires_at=record.expires_at,
        redeem_url=str(request.url_for("redeem_short_code", code=record.code)),
    )


@router.post("/short-codes/{code}/redeem")
def redeem_short_code(
    code: str,
    body: RedeemRequest,
    node: NodeDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.VERIFIER, Role.CLERK))],
) -> VerificationView:
    """Redeem a short code once and verify its presentation as ``/verifications`` does.

    409 ``short-code-used`` on the second redeem, ``short-code-expired`` after 120 s, 404 for
    an unknown code. The use is logged for the holder whatever the result.
    """
    context = UseContext(
        verifier=principal.subject,
        verifier_org=principal.organisation,
        audience=body.audience,
        purpose=body.purpose,
        channel=UseChannel.SHORT_CODE,
    )
    result = redeem_and_verify(session, node.keys, code, context, nonce=body.nonce)
    return VerificationView.model_validate(result.to_json())


@router.get("/me/certificate-uses")
def my_certificate_uses(
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.APPLICANT))],
) -> list[CertificateUseView]:
    """Every verification of the caller's certificates through the platform, newest first."""
    return [CertificateUseView.of(use) for use in holder_uses(session, principal.subject)]


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
        if not principal.organisation:
            raise Forbidden("令牌未注明所属发证机关（org 声明）")
        organ = find_issuer(session, principal.organisation).uscc
        if get_certificate(session, certificate).issuer_uscc != organ:
            raise Forbidden(f"证照 {certificate} 不是本机关签发的")
    return [CertificateUseView.of(use) for use in uses_of_certificate(session, certificate)]
