"""Request and answer bodies of ``/api/v1/applications`` (:mod:`certfree.api.applications`
and :mod:`certfree.api.application_desk`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from certfree import applications as apps

__all__ = [
    "ApplicationPage",
    "CommitmentRequest",
    "CorrectionRequest",
    "DataCheckView",
    "DecideRequest",
    "FormRequest",
    "PaperRequest",
    "PartyConsentRequest",
    "PartyRequest",
    "PresentationRequest",
    "ReasonRequest",
    "StartRequest",
    "WalletKeyRequest",
    "WithdrawRequest",
]

Position = Annotated[int, Field(ge=0, le=999, description="requirement number, from 0")]
# The result's face fields the applicant states: a new firm's name, type, domicile, scope,
# registered capital (万元); the relation to the household head.
FormFields = Annotated[
    dict[
        Annotated[str, Field(max_length=64)],
        Annotated[str, Field(max_length=500)] | Annotated[int, Field(ge=0, le=10**12)],
    ],
    Field(max_length=16),
]


class StartRequest(BaseModel):
    service: str = Field(max_length=200, description="service item code or exact name")
    applicant: str = Field(max_length=18, description="GB 11643 ID number or GB 32100 USCC")
    parties: dict[str, Annotated[str, Field(max_length=18)]] = Field(
        default_factory=dict,
        max_length=8,
        description="co-parties by role: spouse, host, representative, shareholder",
    )
    form: FormFields | None = Field(
        default=None, description="what the applicant states for the result (申请表)"
    )


class FormRequest(BaseModel):
    form: FormFields


class PartyRequest(BaseModel):
    role: str = Field(max_length=16)
    id: str = Field(max_length=18)


class PartyConsentRequest(BaseModel):
    party: str = Field(max_length=18, description="the consenting party's ID number")
    attestation: str = Field(max_length=16384, description="consent-attestation+jwt")
    holder_jwk: dict[str, Annotated[str, Field(max_length=512)]] | None = Field(
        default=None,
        max_length=12,
        description="the party's wallet public key, for result certificates",
    )


class WalletKeyRequest(BaseModel):
    party: str = Field(max_length=18, description="the party's ID number")
    holder_jwk: dict[str, Annotated[str, Field(max_length=512)]] = Field(
        max_length=12, description="the party's wallet public key (JWK)"
    )


class PresentationRequest(BaseModel):
    requirement: Position
    presentation: str = Field(
        max_length=65536, description="SD-JWT VC with KB-JWT: aud this node, nonce the id"
    )


class CommitmentRequest(BaseModel):
    requirement: Position
    text_hash: str = Field(max_length=80, description="text_hash of the form the party read")


class PaperRequest(BaseModel):
    requirement: Position
    note: str = Field(max_length=500, description="the paper proof seen")


class ReasonRequest(BaseModel):
    reason: str = Field(max_length=2000)


class CorrectionRequest(BaseModel):
    reason: str = Field(max_length=2000)
    requirements: list[Position] = Field(min_length=1, max_length=100)


class DecideRequest(BaseModel):
    approve: bool
    reason: str | None = Field(default=None, max_length=2000)
    requirement: Position | None = Field(default=None, description="the requirement refused")


class WithdrawRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class DataCheckView(BaseModel):
    """One after-check taken up: its outcome, or none with why it stays pending."""

    check_id: int
    commitment_id: int
    application_id: str
    question: str | None
    provider: str | None
    outcome: str | None
    note: str


class ApplicationPage(BaseModel):
    total: int
    items: list[apps.ApplicationView | apps.DepartmentView]
