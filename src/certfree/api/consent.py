"""HTTP routes of the applicant's own consents to data-sharing verification.

The applicant (token ``sub`` = their resident ID number) previews what a service item will ask
about them and of which department, gives consent for this node to ask it, lists their
consents and revokes any (PIPL §14–15). A clerk may preview, to read it out at the desk.

On the province node, which signs citizens in, ``POST /consent/attestations`` records the
applicant's consent for a consumer node and returns its consent attestation, signed with the
province's node key: what a provider checks before it answers a question about them
(``certfree.governance.consent.attestations``; ``docs/consent-attestations.md``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from certfree import governance, nodes
from certfree.api.deps import IsoDateTime, NodeDep, SessionDep, allow, as_utc
from certfree.api.views import View
from certfree.assembly import NodeRuntime
from certfree.auth import Principal, Role
from certfree.errors import InvalidInput, NotFound
from certfree.exchange.questions.catalogue import questions_for
from certfree.settings import NodeLevel

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
    """Record my consent to this node asking the questions about me, for this service item.

    A record on this node's list only: providers answer under the province's attestation
    (``POST /api/v1/consent/attestations`` at the province node)."""
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


class AttestationRequest(BaseModel):
    consumer: str = Field(
        min_length=1, max_length=32, description="the node allowed to ask, e.g. 370200"
    )
    service_item: str = Field(min_length=1, max_length=64, description="政务服务事项编码")
    questions: list[Annotated[str, Field(max_length=64)]] = Field(
        min_length=1, max_length=16, description="the questions consented to, by name"
    )
    purpose: str = Field(min_length=1, max_length=500, description="why, in words")
    application: str | None = Field(
        default=None, min_length=1, max_length=64, description="办件编号, if for one"
    )
    expires_at: IsoDateTime | None = Field(default=None, description="省略则 30 天，至多 90 天")
    lang: Literal["zh-CN", "en"] = Field(
        default="zh-CN", description="language of the consent text shown (its digest is signed)"
    )


class AttestationClaims(View):
    """The attestation's claims (``governance.attest_consent``)."""

    iss: str = Field(description="the province node that attests")
    sub: str = Field(description="the data subject's ID number")
    consumer: str
    service_item: str
    application: str | None
    purpose: str
    questions: list[str]
    data_items: list[str]
    iat: int
    exp: int
    jti: str = Field(description="the id of the consent recorded here")
    consent_digest: str = Field(description="sm3:<hex> of the consent text shown")


class AttestationView(View):
    attestation: str = Field(description="compact JWS, typ consent-attestation+jwt")
    claims: AttestationClaims
    text: str = Field(description="the consent text shown, whose digest is signed")
    consent: ConsentView


@router.post("/consent/attestations", status_code=status.HTTP_201_CREATED)
def attest(
    body: AttestationRequest, node: NodeDep, session: SessionDep, principal: _Applicant
) -> AttestationView:
    """I consent that node ``consumer`` asks these questions about me: the province records it
    and signs the attestation that the provider checks (only the province node issues)."""
    return attest_for(session, node, principal.subject, body)


def attest_for(
    session: Session, node: NodeRuntime, subject: str, body: AttestationRequest
) -> AttestationView:
    """The attestation of ``subject``'s consent, signed by this node if it is the province
    (NotConsentIssuer otherwise); the consent is recorded in ``session``."""
    code = node.settings.node_code
    if node.settings.node_level is not NodeLevel.PROVINCE:
        raise governance.NotConsentIssuer(
            f"节点 {code} 不是省级节点，不签发同意凭据；请在省级节点 {code[:2]}0000 登录后申请"
            f"（only the province node, {code[:2]}0000, attests consent）"
        )
    if body.consumer.strip() != code:  # the province asks for itself on a single node
        _check_consumer(session, body.consumer.strip())
    asked = questions_for(session, body.service_item, body.questions)
    shown = governance.preview(session, body.service_item, asked)
    text = str(shown["text_en" if body.lang == "en" else "text_zh"])
    issued = governance.attest_consent(
        session,
        node.exchange.signer(),
        issuer=code,
        subject_id=subject,
        consumer=body.consumer.strip(),
        service_item=body.service_item,
        questions=asked,
        purpose=body.purpose,
        text=text,
        application=body.application,
        expires_at=as_utc(body.expires_at),
    )
    return AttestationView(
        attestation=issued.token,
        claims=AttestationClaims.model_validate(issued.claims),
        text=text,
        consent=ConsentView.model_validate(governance.consent_view(issued.consent)),
    )


def _check_consumer(session: Session, code: str) -> None:
    try:
        consumer = nodes.get_node(session, code)
    except NotFound as exc:
        raise InvalidInput(f"没有编码为 {code} 的节点（no node {code}）", field="consumer") from exc
    if consumer.status is not nodes.NodeStatus.ACTIVE:
        raise InvalidInput(
            f"节点 {code} 未在用（{consumer.status.value}），不能向其授权"
            f"（node {code} is not active）",
            field="consumer",
        )
