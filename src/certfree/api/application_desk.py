"""The accepting node's desk over HTTP: 受理, 不予受理, 补正, a paper proof seen, 办结, and the
after-checks of commitments (事后核查). Each clerk route acts on the application locked and
checked for a clerk of the accepting node (:func:`_desk_case`); the shapes are those of
:mod:`certfree.api.applications`."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends

from certfree import applications as apps
from certfree.api.application_bodies import (
    CorrectionRequest,
    DataCheckView,
    DecideRequest,
    PaperRequest,
    ReasonRequest,
)
from certfree.api.applications import locked_for, notify, show_for, view_for
from certfree.api.deps import NodeDep, SessionDep, acting_department, allow
from certfree.applications import access
from certfree.auth import Principal, Role
from certfree.errors import Forbidden, InvalidInput
from certfree.nodes import DepartmentKind
from certfree.proofs import Way

router = APIRouter(prefix="/api/v1", tags=["applications"])

_Clerk = Annotated[Principal, Depends(allow(Role.CLERK))]
# 国办发〔2020〕42号 二(四): the departments check commitments; the bureau oversees.
_Checker = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN))]


def _desk_case(app_id: str, session: SessionDep, principal: _Clerk) -> apps.Application:
    """The application ``app_id``, locked, once the caller is a clerk of its accepting node
    (a stranger is told it does not exist)."""
    app = locked_for(session, app_id, principal)
    access.check_clerk(app, principal)
    return app


_Case = Annotated[apps.Application, Depends(_desk_case)]


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


@router.post("/applications/{app_id}/accept")
def accept(app: _Case, principal: _Clerk) -> apps.ApplicationView:
    """受理: the promised time limit starts."""
    apps.accept(app, actor=principal.actor)
    return view_for(app, principal)


@router.post("/applications/{app_id}/not-accept")
def not_accept(app: _Case, body: ReasonRequest, principal: _Clerk) -> apps.ApplicationView:
    """不予受理, with the reason the applicant is told."""
    apps.not_accept(app, actor=principal.actor, reason=body.reason)
    return view_for(app, principal)


@router.post("/applications/{app_id}/request-correction")
def request_correction(
    app: _Case, body: CorrectionRequest, principal: _Clerk
) -> apps.ApplicationView:
    """补正: name the requirements; the clock stops until the applicant resubmits."""
    apps.request_correction(
        app, actor=principal.actor, reason=body.reason, requirements=body.requirements
    )
    return view_for(app, principal)


@router.post("/applications/{app_id}/paper")
def paper(app: _Case, body: PaperRequest, principal: _Clerk) -> apps.ApplicationView:
    """The clerk records a paper proof seen, where the list still allows one."""
    slot = apps.slot_at(app, body.requirement)
    index = apps.find_part(slot, Way.PAPER)
    apps.record_paper(app, slot, index, note=body.note, actor=principal.actor)
    return view_for(app, principal)


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
            app = locked_for(session, app_id, principal)
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
    await notify(node, app_id)
    return await node.exchange.in_thread(show_for, node, app_id, principal)
