"""Applications (办件) over HTTP: ``/api/v1/applications``.

Thin routes: each authenticates, checks the caller may act on this application
(:mod:`certfree.applications.access`), calls the domain and returns the application as
``GET /api/v1/applications/{id}`` shows it — the same object ``certfree apply show --json``
prints. A department admin sees only the requirements addressed to their node
(:class:`certfree.applications.DepartmentView`). The desk's acts (accept, decide …) are in
:mod:`certfree.api.application_desk`, the bodies in :mod:`certfree.api.application_bodies`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.orm import Session

from certfree import applications as apps
from certfree.api.application_bodies import (
    ApplicationPage,
    CommitmentRequest,
    FormRequest,
    PartyConsentRequest,
    PartyRequest,
    PresentationRequest,
    StartRequest,
    WalletKeyRequest,
    WithdrawRequest,
)
from certfree.api.deps import NodeDep, SessionDep, allow
from certfree.applications import access
from certfree.assembly import NodeRuntime
from certfree.auth import Principal, Role
from certfree.errors import Forbidden
from certfree.exchange.questions.consents import consent_issuer
from certfree.exchange.verification.delivery import transport_sender

router = APIRouter(prefix="/api/v1", tags=["applications"])

_Anyone = Annotated[Principal, Depends(allow(Role.APPLICANT, Role.CLERK, Role.DEPARTMENT_ADMIN))]
_Acting = Annotated[Principal, Depends(allow(Role.APPLICANT, Role.CLERK))]
_Applicant = Annotated[Principal, Depends(allow(Role.APPLICANT))]
_Figures = Annotated[Principal, Depends(allow(Role.CLERK, Role.BUREAU_ADMIN, Role.CIO))]


def view_for(app: apps.Application, principal: Principal) -> apps.ApplicationView:
    """The case as a party or a clerk sees it (a party also sees their own credentials)."""
    viewer = principal.subject.strip().upper() if principal.role is Role.APPLICANT else None
    return apps.application_view(app, viewer=viewer)


def _seen(
    app: apps.Application, principal: Principal
) -> apps.ApplicationView | apps.DepartmentView:
    if principal.role is Role.DEPARTMENT_ADMIN:
        mine = access.addressed_to(app, principal.organisation or "")
        return apps.department_view(app, mine)
    return view_for(app, principal)


def locked_for(session: Session, app_id: str, principal: Principal) -> apps.Application:
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
    return view_for(app, principal)


@router.put("/applications/{app_id}/form")
def set_form(
    app_id: str, body: FormRequest, session: SessionDep, principal: _Acting
) -> apps.ApplicationView:
    """What the applicant states for the result (the applicant, or a clerk at the counter)."""
    app = locked_for(session, app_id, principal)
    access.check_party(app, principal, app.applicant_id, clerk_may=True)
    apps.set_result_form(session, app, body.form)
    return view_for(app, principal)


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


@router.get("/applications/{app_id}")
async def show(
    app_id: str, node: NodeDep, principal: _Anyone
) -> apps.ApplicationView | apps.DepartmentView:
    """One application, as far as the caller may see it; answered department
    verifications are taken in first, and register notices still queued are sent again."""

    def sync() -> None:
        with node.db.session() as session:
            app = locked_for(session, app_id, principal)
            apps.sync_department_verifications(session, app)

    await node.exchange.in_thread(sync)
    await notify(node, app_id)

    def shown() -> apps.ApplicationView | apps.DepartmentView:
        with node.db.session() as session:
            return _seen(apps.get_application(session, app_id), principal)

    return await node.exchange.in_thread(shown)


async def notify(node: NodeRuntime, app_id: str) -> None:
    """Send the register notices ``app_id`` still owes (a department down keeps them queued)."""
    await apps.deliver_notices(node.db, transport_sender(node.exchange), app_id)


@router.post("/applications/{app_id}/parties")
def add_party(
    app_id: str, body: PartyRequest, node: NodeDep, session: SessionDep, principal: _Acting
) -> apps.ApplicationView:
    """Add a co-party to a draft (the applicant, or a clerk); the plan is made again."""
    app = locked_for(session, app_id, principal)
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
    return view_for(app, principal)


@router.post("/applications/{app_id}/consent")
async def consent(
    app_id: str, body: PartyConsentRequest, node: NodeDep, principal: _Applicant
) -> apps.ApplicationView:
    """A party's consent (the province's attestation) to the questions asked about them."""
    issuer = consent_issuer(node.exchange.node, await node.exchange.directory())

    def act() -> apps.ApplicationView:
        with node.db.session() as session:
            app = locked_for(session, app_id, principal)
            access.check_party(app, principal, body.party)
            party = apps.attach_consent(
                app,
                subject=body.party,
                attestation=body.attestation,
                issuer=issuer,
                holder_jwk=body.holder_jwk,
                actor=principal.actor,
            )
            _joined(session, node, app, party)
            view = view_for(app, principal)
            session.commit()
            return view

    return await node.exchange.in_thread(act)


@router.post("/applications/{app_id}/wallet-key")
def wallet_key(
    app_id: str, body: WalletKeyRequest, node: NodeDep, session: SessionDep, principal: _Applicant
) -> apps.ApplicationView:
    """A party registers their wallet's public key, which result certificates are bound to
    (with a consent, or alone when nothing is asked about them)."""
    app = locked_for(session, app_id, principal)
    access.check_party(app, principal, body.party)
    party = apps.register_wallet_key(
        app, subject=body.party, holder_jwk=body.holder_jwk, actor=principal.actor
    )
    _joined(session, node, app, party)
    return view_for(app, principal)


def _joined(
    session: Session, node: NodeRuntime, app: apps.Application, party: apps.ApplicationParty
) -> None:
    """A co-party joined: their wallet may now be looked into, so a draft is planned again."""
    if party.role != "applicant":
        facts, holdings = apps.node_sources(session, node.settings, joined=apps.joined_parties(app))
        apps.plan_again(session, app, facts=facts, holdings=holdings)


@router.post("/applications/{app_id}/presentations")
def present(
    app_id: str, body: PresentationRequest, node: NodeDep, session: SessionDep, principal: _Acting
) -> apps.ApplicationView:
    """A party shows an e-certificate for a requirement (made for this node, nonce the
    application id); a clerk may scan it at the counter."""
    app = locked_for(session, app_id, principal)
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
    return view_for(app, principal)


@router.post("/applications/{app_id}/commitments")
def commit(
    app_id: str, body: CommitmentRequest, node: NodeDep, session: SessionDep, principal: _Applicant
) -> apps.ApplicationView:
    """The requirement's party signs the commitment form they read (its text hash)."""
    app = locked_for(session, app_id, principal)
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
    return view_for(app, principal)


@router.post("/applications/{app_id}/run")
async def run(app_id: str, node: NodeDep, principal: _Acting) -> apps.ApplicationView:
    """Carry out the plan: ask the data-sharing questions, send department verifications;
    the applicant (for their own application) or a clerk of this node."""

    def check() -> None:
        with node.db.session() as session:
            app = apps.get_application(session, app_id)
            access.check_party(app, principal, app.applicant_id, clerk_may=True)

    await node.exchange.in_thread(check)
    await notify(node, app_id)
    await apps.run_application(
        node.exchange, app_id, actor=principal.actor, planner=apps.node_planner(node.settings)
    )
    return await node.exchange.in_thread(show_for, node, app_id, principal)


def show_for(node: NodeRuntime, app_id: str, principal: Principal) -> apps.ApplicationView:
    with node.db.session() as session:
        return view_for(apps.get_application(session, app_id), principal)


@router.post("/applications/{app_id}/submit")
def submit(
    app_id: str, node: NodeDep, session: SessionDep, principal: _Acting
) -> apps.ApplicationView:
    """Hand the application in (the applicant, or a clerk at the counter); a sealed receipt."""
    app = locked_for(session, app_id, principal)
    access.check_party(app, principal, app.applicant_id, clerk_may=True)
    apps.submit_application(session, node.keys, app, actor=principal.actor)
    return view_for(app, principal)


@router.post("/applications/{app_id}/withdraw")
def withdraw(
    app_id: str, body: WithdrawRequest, session: SessionDep, principal: _Applicant
) -> apps.ApplicationView:
    """撤回: the applicant withdraws while the application is open."""
    app = locked_for(session, app_id, principal)
    access.check_party(app, principal, app.applicant_id)
    apps.withdraw(app, actor=principal.actor, reason=body.reason)
    return view_for(app, principal)
