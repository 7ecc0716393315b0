"""Commitments (告知承诺), after-checks (事后核查) and credit records, over HTTP.

An applicant acts only as themselves: the subject of their bearer token is the applicant
identifier every commitment and credit record is filed under.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field, computed_field

from certfree import commitments
from certfree.api.deps import NodeDep, PathId, SessionDep, acting_department, allow
from certfree.auth import Principal, Role
from certfree.commitments import (
    AfterCheckMethod,
    CheckOutcome,
    CommitmentStatus,
    CreditConsequence,
    CreditStatus,
)

router = APIRouter(prefix="/api/v1", tags=["commitments"])

_Applicant = Annotated[Principal, Depends(allow(Role.APPLICANT))]
_ApplicantOrClerk = Annotated[Principal, Depends(allow(Role.APPLICANT, Role.CLERK))]
# 国办发〔2020〕42号 二(四): the department that owns a proof item checks its commitments.
_Checker = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN))]


class SectionView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    title: str
    body: str


class FormView(BaseModel):
    """A rendered form (``commitments.CommitmentForm``)."""

    model_config = ConfigDict(from_attributes=True)

    proof_code: str
    service_code: str | None
    lang: str
    template_version: str
    title: str
    sections: list[SectionView]
    text: str
    text_hash: str


class CommitmentView(BaseModel):
    """A signed commitment (``commitments.Commitment``)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    applicant_id: str
    proof_code: str
    service_code: str | None
    lang: str
    template_version: str
    text_hash: str
    status: CommitmentStatus
    signed_at: dt.datetime
    submitted_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    seal: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_zh(self) -> str:
        return self.status.zh


class CommitmentSignRequest(BaseModel):
    proof_code: str = Field(min_length=1, max_length=32)
    service_code: str | None = Field(default=None, max_length=64)
    text_hash: str = Field(min_length=1, max_length=80, description="text_hash of the form shown")


class CreditView(BaseModel):
    """A credit record (``commitments.CreditRecord``)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    applicant_id: str
    commitment_id: int
    proof_code: str
    consequence: CreditConsequence
    basis: str
    status: CreditStatus
    recorded_at: dt.datetime
    repaired_at: dt.datetime | None
    repair_reason: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def consequence_zh(self) -> str:
        return self.consequence.zh

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_zh(self) -> str:
        return self.status.zh


class AfterCheckView(BaseModel):
    """An after-check drawn for a commitment (``commitments.AfterCheck``)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    commitment_id: int
    proof_code: str
    applicant_id: str
    seed: str
    rate_bp: int = Field(exclude=True)
    rate_reasons: str
    method: AfterCheckMethod
    status: str
    drawn_at: dt.datetime
    due_at: dt.datetime
    outcome: CheckOutcome | None
    note: str | None
    checked_by: str | None
    checked_at: dt.datetime | None

    @computed_field(description="the sampling rate applied, 0–1")  # type: ignore[prop-decorator]
    @property
    def rate(self) -> float:
        return self.rate_bp / commitments.FULL_RATE_BP


class AfterCheckDrawRequest(BaseModel):
    seed: str = Field(min_length=1, max_length=64, description="published, so anyone can re-draw")
    proof_code: str | None = Field(default=None, max_length=32)


class AfterCheckOutcomeRequest(BaseModel):
    outcome: CheckOutcome
    method: AfterCheckMethod
    note: str = Field(default="", max_length=2000)
    consequence: CreditConsequence = CreditConsequence.REVOKE_DECISION


class CreditRepairRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def _own(principal: Principal) -> str | None:
    """The applicant a caller may act for: themselves if an applicant, anyone if staff."""
    return principal.subject if principal.role is Role.APPLICANT else None


@router.get("/commitments/form")
def get_form(
    session: SessionDep,
    _: _ApplicantOrClerk,
    proof: Annotated[str, Query(min_length=1, max_length=32, description="proof item code")],
    service: Annotated[str | None, Query(max_length=64, description="service item code")] = None,
    lang: Annotated[str, Query(max_length=16)] = "zh-CN",
) -> FormView:
    """The commitment form for a proof item, and the text_hash an applicant signs."""
    return FormView.model_validate(commitments.commitment_form(session, proof, service, lang))


@router.post("/commitments", status_code=status.HTTP_201_CREATED)
def sign(
    session: SessionDep, node: NodeDep, principal: _Applicant, body: CommitmentSignRequest
) -> CommitmentView:
    """Sign the current form for a proof item as the token's subject; sealed by the node."""
    row = commitments.sign_commitment(
        session,
        node.keys,
        applicant_id=principal.subject,
        proof_code=body.proof_code,
        service_code=body.service_code,
        text_hash=body.text_hash,
    )
    return CommitmentView.model_validate(row)


@router.get("/commitments/{id}")
def get_commitment(session: SessionDep, principal: _ApplicantOrClerk, id: PathId) -> CommitmentView:
    """One commitment with its seal (its owner, or a clerk)."""
    return CommitmentView.model_validate(
        commitments.get_commitment(session, id, applicant_id=_own(principal))
    )


@router.post("/commitments/{id}/withdraw")
def withdraw(session: SessionDep, principal: _Applicant, id: PathId) -> CommitmentView:
    """Withdraw one's own commitment; refused once it has been submitted."""
    row = commitments.withdraw_commitment(session, id, applicant_id=principal.subject)
    return CommitmentView.model_validate(row)


@router.post("/commitments/{id}/submit")
def submit(session: SessionDep, principal: _ApplicantOrClerk, id: PathId) -> CommitmentView:
    """Submit a signed commitment with the application (its owner, or a clerk)."""
    row = commitments.submit_commitment(session, id, applicant_id=_own(principal))
    return CommitmentView.model_validate(row)


@router.get("/me/commitments")
def my_commitments(session: SessionDep, principal: _Applicant) -> list[CommitmentView]:
    """The caller's own commitments, newest first."""
    return [
        CommitmentView.model_validate(c)
        for c in commitments.commitments_of(session, principal.subject)
    ]


@router.get("/me/credit")
def my_credit(session: SessionDep, principal: _Applicant) -> list[CreditView]:
    """The caller's own credit records (失信记录), open and repaired."""
    return [
        CreditView.model_validate(r)
        for r in commitments.credit_records_for(session, principal.subject)
    ]


@router.post("/after-checks/draw", status_code=status.HTTP_201_CREATED)
def draw(
    session: SessionDep, principal: _Checker, body: AfterCheckDrawRequest
) -> list[AfterCheckView]:
    """Draw after-checks among submitted commitments not yet drawn, reproducibly for a seed;
    a department draws among its own proof items only."""
    drawn = commitments.draw_after_checks(
        session,
        proof_code=body.proof_code,
        seed=body.seed,
        department=acting_department(session, principal),
    )
    return [AfterCheckView.model_validate(c) for c in drawn]


@router.get("/after-checks")
def list_checks(
    session: SessionDep,
    principal: _Checker,
    overdue: bool = False,
    proof: Annotated[str | None, Query(max_length=32)] = None,
) -> list[AfterCheckView]:
    """After-checks by due date (a department's own, or all for the bureau);
    ``overdue=true`` lists only pending ones past due."""
    rows = commitments.list_after_checks(
        session,
        overdue=overdue,
        proof_code=proof,
        department=acting_department(session, principal),
    )
    return [AfterCheckView.model_validate(c) for c in rows]


@router.post("/after-checks/{id}/outcome")
def outcome(
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN))],
    id: PathId,
    body: AfterCheckOutcomeRequest,
) -> AfterCheckView:
    """Record what a check of one's own proof item found; a false commitment goes on the
    applicant's credit record."""
    row = commitments.record_outcome(
        session,
        id,
        body.outcome,
        method=body.method,
        note=body.note,
        actor=principal.subject,
        consequence=body.consequence,
        department=acting_department(session, principal),
    )
    return AfterCheckView.model_validate(row)


@router.post("/credit/{id}/repair")
def repair(
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN))],
    id: PathId,
    body: CreditRepairRequest,
) -> CreditView:
    """Repair a credit record (信用修复); the commitment route opens again."""
    return CreditView.model_validate(
        commitments.repair_credit(session, id, principal.subject, body.reason)
    )
