"""Applications (办件) over HTTP: ``/api/v1/applications``.

Thin routes: each authenticates, checks the caller may act on this application
(:mod:`certfree.applications.access`), calls the domain and returns the application as
``GET /api/v1/applications/{id}`` shows it — the same object ``certfree apply show --json``
prints. A department admin sees only the requirements addressed to their node
(:class:`certfree.applications.DepartmentView`).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from certfree import applications as apps
from certfree.api.deps import NodeDep, SessionDep, acting_department, allow
from certfree.applications import access
from certfree.assembly import NodeRuntime
from certfree.auth import Principal, Role
from certfree.errors import Forbidden, InvalidInput
from certfree.exchange.consents import consent_issuer
from certfree.exchange.verification_delivery import transport_sender
from certfree.nodes import DepartmentKind
from certfree.proofs import Way

router = APIRouter(prefix="/api/v1", tags=["applications"])

_Anyone = Annotated[Principal, Depends(allow(Role.APPLICANT, Role.CLERK, Role.DEPARTMENT_ADMIN))]
_Acting = Annotated[Principal, Depends(allow(Role.APPLICANT, Role.CLERK))]
_Applicant = Annotated[Principal, Depends(allow(Role.APPLICANT))]
_Clerk = Annotated[Principal, Depends(allow(Role.CLERK))]
# 国办发〔2020〕42号 二(四): the departments check commitments; the bureau oversees.
_Checker = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN))]
_Figures = Annotated[Principal, Depends(allow(Role.CLERK, Role.BUREAU_ADMIN, Role.CIO))]

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


def _view(app: apps.Application, principal: Principal) -> apps.ApplicationView:
    """The case as a party or a clerk sees it (a party also sees their own credentials)."""
    viewer = principal.subject.strip().upper() if principal.role is Role.APPLICANT else None
    return apps.application_view(app, viewer=viewer)


def _seen(
    app: apps.Application, principal: Principal
) -> apps.ApplicationView | apps.DepartmentView:
    if principal.role is Role.DEPARTMENT_ADMIN:
        mine = access.addressed_to(app, principal.organisation or "")
        return apps.department_view(app, mine)
    return _view(app, principal)


def _locked(session: Session, app_id: str, principal: Principal) -> apps.Application:
    """The application locked for this act, once ``principal`` may see it: a stranger is
    told it does not exist before any row is locked."""
    access.check_visible(apps.get_application(session, app_id), principal)
    return apps.locked_application(session, app_id)


@router.post("/applications", status_code=status.HTTP_201_CREATED)
def start(
    body: StartRequest, node: NodeDep, session: SessionDep, principal: _Acting
) -> apps.ApplicationView:
    """Start an application (a draft with its plan): an applicant for themself, or a clerk
    of this node at the counter."""
    if principal.role is Role.CLERK and not access.is_clerk_of(principal, node.settings.node_code):
        raise Forbidden(
            f"令牌所属机构不是本节点 {node.settings.node_code}"
            f"（the token's org must be this node）",
            field="org",
        )
    if principal.role is Role.APPLICANT and principal.subject.strip().upper() != (
        body.applicant.strip().upper()
    ):
        raise Forbidden("申请人只能为本人申请（apply only for yourself）", field="applicant")
    # Until a co-party joins, the plan does not look in their wallet (applications.sources).
    facts, holdings = apps.node_sources(session, node.settings, joined=[body.applicant])
    app = apps.start_application(
        session,
        service=body.service,
        applicant=body.applicant,
        parties=apps.parse_parties(body.parties),
        node_code=node.settings.node_code,
        actor=principal.actor,
        facts=facts,
        holdings=holdings,
    )
    if body.form:
        apps.set_result_form(session, app, body.form)
    return _view(app, principal)


@router.put("/applications/{app_id}/form")
def set_form(
    app_id: str, body: FormRequest, session: SessionDep, principal: _Acting
) -> apps.ApplicationView:
    """What the applicant states for the result (the applicant, or a clerk at the counter)."""
    app = _locked(session, app_id, principal)
    access.check_party(app, principal, app.applicant_id, clerk_may=True)
    apps.set_result_form(session, app, body.form)
    return _view(app, principal)


@router.get("/applications")
def list_applications(
    *,
    node: NodeDep,
    session: SessionDep,
    principal: _Anyone,
    state: Annotated[apps.AppState | None, Query()] = None,
    service: Annotated[str | None, Query(max_length=64)] = None,
    overdue: Annotated[bool, Query()] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ApplicationPage:
    """The caller's applications (an applicant: those they are a party to; a clerk: this
    node's queue; a department admin: those with requirements addressed to their node)."""
    if principal.role is Role.CLERK and not access.is_clerk_of(principal, node.settings.node_code):
        return ApplicationPage(total=0, items=[])
    role = principal.role
    total, page = apps.list_applications(
        session,
        node_code=node.settings.node_code if role is Role.CLERK else None,
        party=principal.subject if role is Role.APPLICANT else None,
        department=(principal.organisation or "") if role is Role.DEPARTMENT_ADMIN else None,
        state=state,
        service=service,
        overdue=overdue,
        limit=limit,
        offset=offset,
    )
    return ApplicationPage(total=total, items=[_seen(a, principal) for a in page])


@router.get("/applications/stats")
def stats(node: NodeDep, session: SessionDep, principal: _Figures) -> apps.ApplicationStats:
    """Figures of this node's applications: proofs not demanded by way, trips saved, time
    from submission to decision, overdue."""
    return apps.application_stats(session, node_code=node.settings.node_code)


@router.post("/applications/after-checks/run")
async def after_checks(node: NodeDep, principal: _Checker) -> list[DataCheckView]:
    """Take up the open data-check after-checks of commitments made in this node's
    applications: ask the exchange, record confirmed or false commitment (事后核查). A
    department admin takes up only those of its own department's proof items; the bureau
    (the token's ``org`` this node) all of this node's."""

    def acting() -> DepartmentKind | None:
        with node.db.session() as session:
            return acting_department(session, principal)

    department = await node.exchange.in_thread(acting)
    code = node.settings.node_code
    if department is None and (principal.organisation or "").strip().upper() != code.upper():
        raise Forbidden(
            f"令牌所属机构不是本节点 {code}（the bureau's token must name this node）",
            field="org",
        )
    done = await apps.run_data_checks(
        node.exchange, node_code=code, actor=principal.actor, department=department
    )
    return [DataCheckView.model_validate(dataclasses.asdict(check)) for check in done]


@router.get("/applications/{app_id}")
async def show(
    app_id: str, node: NodeDep, principal: _Anyone
) -> apps.ApplicationView | apps.DepartmentView:
    """One application, as far as the caller may see it; answered department
    verifications are taken in first, and register notices still queued are sent again."""

    def sync() -> None:
        with node.db.session() as session:
            app = _locked(session, app_id, principal)
            apps.sync_department_verifications(session, app)

    await node.exchange.in_thread(sync)
    await _notify(node, app_id)

    def shown() -> apps.ApplicationView | apps.DepartmentView:
        with node.db.session() as session:
            return _seen(apps.get_application(session, app_id), principal)

    return await node.exchange.in_thread(shown)


async def _notify(node: NodeRuntime, app_id: str) -> None:
    """Send the register notices ``app_id`` still owes (a department down keeps them queued)."""
    await apps.deliver_notices(node.db, transport_sender(node.exchange), app_id)


@router.post("/applications/{app_id}/parties")
def add_party(
    app_id: str, body: PartyRequest, node: NodeDep, session: SessionDep, principal: _Acting
) -> apps.ApplicationView:
    """Add a co-party to a draft (the applicant, or a clerk); the plan is made again."""
    app = _locked(session, app_id, principal)
    access.check_party(app, principal, app.applicant_id, clerk_may=True)
    facts, holdings = apps.node_sources(session, node.settings, joined=apps.joined_parties(app))
    apps.add_party(
        session,
        app,
        role=body.role,
        subject=body.id,
        actor=principal.actor,
        facts=facts,
        holdings=holdings,
    )
    return _view(app, principal)


@router.post("/applications/{app_id}/consent")
async def consent(
    app_id: str, body: PartyConsentRequest, node: NodeDep, principal: _Applicant
) -> apps.ApplicationView:
    """A party's consent (the province's attestation) to the questions asked about them."""
    issuer = consent_issuer(node.exchange, await node.exchange.directory())

    def act() -> apps.ApplicationView:
        with node.db.session() as session:
            app = _locked(session, app_id, principal)
            access.check_party(app, principal, body.party)
            apps.attach_consent(
                app,
                subject=body.party,
                attestation=body.attestation,
                issuer=issuer,
                holder_jwk=body.holder_jwk,
                actor=principal.actor,
            )
            view = _view(app, principal)
            session.commit()
            return view

    return await node.exchange.in_thread(act)


@router.post("/applications/{app_id}/wallet-key")
def wallet_key(
    app_id: str, body: WalletKeyRequest, session: SessionDep, principal: _Applicant
) -> apps.ApplicationView:
    """A party registers their wallet's public key, which result certificates are bound to
    (with a consent, or alone when nothing is asked about them)."""
    app = _locked(session, app_id, principal)
    access.check_party(app, principal, body.party)
    apps.register_wallet_key(
        app, subject=body.party, holder_jwk=body.holder_jwk, actor=principal.actor
    )
    return _view(app, principal)


@router.post("/applications/{app_id}/presentations")
def present(
    app_id: str, body: PresentationRequest, node: NodeDep, session: SessionDep, principal: _Acting
) -> apps.ApplicationView:
    """A party shows an e-certificate for a requirement (made for this node, nonce the
    application id); a clerk may scan it at the counter."""
    app = _locked(session, app_id, principal)
    slot = apps.slot_at(app, body.requirement)
    access.check_party(app, principal, slot.subject_id or app.applicant_id, clerk_may=True)
    apps.attach_presentation(
        session,
        node.keys,
        app,
        position=body.requirement,
        presentation=body.presentation,
        verifier=principal.subject,
        verifier_org=principal.organisation,
        actor=principal.actor,
    )
    return _view(app, principal)


@router.post("/applications/{app_id}/commitments")
def commit(
    app_id: str, body: CommitmentRequest, node: NodeDep, session: SessionDep, principal: _Applicant
) -> apps.ApplicationView:
    """The requirement's party signs the commitment form they read (its text hash)."""
    app = _locked(session, app_id, principal)
    slot = apps.slot_at(app, body.requirement)
    access.check_party(app, principal, slot.subject_id or app.applicant_id)
    apps.sign_slot_commitment(
        session,
        node.keys,
        app,
        position=body.requirement,
        text_hash=body.text_hash,
        actor=principal.actor,
    )
    return _view(app, principal)


@router.post("/applications/{app_id}/run")
async def run(app_id: str, node: NodeDep, principal: _Acting) -> apps.ApplicationView:
    """Carry out the plan: ask the data-sharing questions, send department verifications;
    the applicant (for their own application) or a clerk of this node."""

    def check() -> None:
        with node.db.session() as session:
            app = apps.get_application(session, app_id)
            access.check_party(app, principal, app.applicant_id, clerk_may=True)

    await node.exchange.in_thread(check)
    await _notify(node, app_id)
    await apps.run_application(
        node.exchange, app_id, actor=principal.actor, planner=apps.node_planner(node.settings)
    )
    return await node.exchange.in_thread(_show, node, app_id, principal)


def _show(node: NodeRuntime, app_id: str, principal: Principal) -> apps.ApplicationView:
    with node.db.session() as session:
        return _view(apps.get_application(session, app_id), principal)


@router.post("/applications/{app_id}/submit")
def submit(
    app_id: str, node: NodeDep, session: SessionDep, principal: _Acting
) -> apps.ApplicationView:
    """Hand the application in (the applicant, or a clerk at the counter); a sealed receipt."""
    app = _locked(session, app_id, principal)
    access.check_party(app, principal, app.applicant_id, clerk_may=True)
    apps.submit_application(session, node.keys, app, actor=principal.actor)
    return _view(app, principal)


@router.post("/applications/{app_id}/accept")
def accept(app_id: str, session: SessionDep, principal: _Clerk) -> apps.ApplicationView:
    """受理: the promised time limit starts."""
    app = _locked(session, app_id, principal)
    access.check_clerk(app, principal)
    apps.accept(app, actor=principal.actor)
    return _view(app, principal)


@router.post("/applications/{app_id}/not-accept")
def not_accept(
    app_id: str, body: ReasonRequest, session: SessionDep, principal: _Clerk
) -> apps.ApplicationView:
    """不予受理, with the reason the applicant is told."""
    app = _locked(session, app_id, principal)
    access.check_clerk(app, principal)
    apps.not_accept(app, actor=principal.actor, reason=body.reason)
    return _view(app, principal)


@router.post("/applications/{app_id}/request-correction")
def request_correction(
    app_id: str, body: CorrectionRequest, session: SessionDep, principal: _Clerk
) -> apps.ApplicationView:
    """补正: name the requirements; the clock stops until the applicant resubmits."""
    app = _locked(session, app_id, principal)
    access.check_clerk(app, principal)
    apps.request_correction(
        app, actor=principal.actor, reason=body.reason, requirements=body.requirements
    )
    return _view(app, principal)


@router.post("/applications/{app_id}/paper")
def paper(
    app_id: str, body: PaperRequest, session: SessionDep, principal: _Clerk
) -> apps.ApplicationView:
    """The clerk records a paper proof seen, where the list still allows one."""
    app = _locked(session, app_id, principal)
    access.check_clerk(app, principal)
    slot = apps.slot_at(app, body.requirement)
    index = apps.find_part(slot, Way.PAPER)
    apps.record_paper(app, slot, index, note=body.note, actor=principal.actor)
    return _view(app, principal)


@router.post("/applications/{app_id}/decide")
async def decide(
    app_id: str, body: DecideRequest, node: NodeDep, principal: _Clerk
) -> apps.ApplicationView:
    """办结: approve (every requirement met; result certificates issued at once, the
    registers' departments told once it is committed) or refuse (naming the requirement and
    why)."""
    if not body.approve and body.requirement is None:
        raise InvalidInput(
            "不予办理须指明所依据的申请条件（a refusal names the requirement）",
            field="requirement",
        )

    def write() -> None:
        with node.db.session() as session:
            app = _locked(session, app_id, principal)
            access.check_clerk(app, principal)
            apps.decide_application(
                session,
                node.keys,
                app,
                actor=principal.actor,
                approve=body.approve,
                reason=body.reason,
                requirement=body.requirement,
                base_url=node.settings.base_url,
            )

    await node.exchange.in_thread(write)
    await _notify(node, app_id)
    return await node.exchange.in_thread(_show, node, app_id, principal)


@router.post("/applications/{app_id}/withdraw")
def withdraw(
    app_id: str, body: WithdrawRequest, session: SessionDep, principal: _Applicant
) -> apps.ApplicationView:
    """撤回: the applicant withdraws while the application is open."""
    app = _locked(session, app_id, principal)
    access.check_party(app, principal, app.applicant_id)
    apps.withdraw(app, actor=principal.actor, reason=body.reason)
    return _view(app, principal)
