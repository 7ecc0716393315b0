"""HTTP routes of the applicant's own consents to data-sharing verification.

The applicant (token ``sub`` = their resident ID number) previews what a service item will ask
about them and of which department, gives consent for this node to ask it, lists their
consents and revokes any (PIPL §14–15). A clerk may preview, to read it out at the desk.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from certfree import governance
from certfree.api.deps import IsoDateTime, NodeDep, SessionDep, allow, as_utc
from certfree.api.views import View
from certfree.auth import Principal, Role
from certfree.exchange.questions import questions_for

router = APIRouter(prefix="/api/v1", tags=["consent"])

_Applicant = Annotated[Principal, Depends(allow(Role.APPLICANT))]
_Previewer = Annotated[Principal, Depends(allow(Role.APPLICANT, Role.CLERK))]


class ConsentRequest(BaseModel):
    service_item: str = Field(min_length=1, max_length=64, description="政务服务事项编码")
    questions: list[str] | None = Field(
        default=None, description="同意核验的问题；省略则为该事项可用的全部数据共享问题"
    )
    expires_at: IsoDateTime | None = Field(default=None, description="省略则 30 天")


class PreviewedQuestion(View):
    name: str
    title_zh: str
    department: str
    department_zh: str
    asks_zh: str
    reveals_zh: list[str] = Field(description="all the department's answer reveals")


class ConsentPreview(View):
    """What will be asked about the applicant, of whom, before consenting
    (``governance.preview``)."""

    service_item: str
    service_name: str
    questions: list[PreviewedQuestion]
    data_items: list[str]
    text_zh: str = Field(description="the whole preview as sentences to show or read out")
    text_en: str


class ConsentView(View):
    """A consent with its current state (``governance.consent_view``)."""

    id: str
    subject_id: str
    consumer: str = Field(description="the node that may ask")
    service_item: str
    questions: list[str]
    data_items: list[str]
    given_at: str
    expires_at: str
    recorded_by: str
    revoked_at: str | None
    state: Literal["valid", "expired", "revoked"]
    state_zh: str


@router.get("/me/consents/preview")
def preview(
    session: SessionDep,
    _principal: _Previewer,
    service_item: Annotated[str, Query(min_length=1, max_length=64)],
    question: Annotated[list[str] | None, Query(description="省略则为事项的全部问题")] = None,
) -> ConsentPreview:
    """What will be asked, of whom, and what each answer reveals — before consenting."""
    asked = questions_for(session, service_item, question)
    return ConsentPreview.model_validate(governance.preview(session, service_item, asked))


@router.post("/me/consents", status_code=status.HTTP_201_CREATED)
def give(
    body: ConsentRequest, node: NodeDep, session: SessionDep, principal: _Applicant
) -> ConsentView:
    """Consent to this node asking the questions about me, for this service item."""
    consent = governance.give(
        session,
        subject_id=principal.subject,
        consumer=node.settings.node_code,
        service_item=body.service_item,
        questions=questions_for(session, body.service_item, body.questions),
        recorded_by=f"applicant:{principal.subject}",
        expires_at=as_utc(body.expires_at),
    )
    return ConsentView.model_validate(governance.consent_view(consent))


@router.get("/me/consents")
def list_consents(session: SessionDep, principal: _Applicant) -> list[ConsentView]:
    """My consents, newest first, each with its state (valid, expired, revoked)."""
    rows = governance.list_consents(session, principal.subject)
    return [ConsentView.model_validate(governance.consent_view(c)) for c in rows]


@router.post("/me/consents/{consent_id}/revoke")
def revoke(consent_id: str, session: SessionDep, principal: _Applicant) -> ConsentView:
    """Withdraw my consent; questions under it are no longer asked."""
    consent = governance.revoke_consent(
        session, consent_id, subject_id=principal.subject.strip().upper()
    )
    return ConsentView.model_validate(governance.consent_view(consent))
