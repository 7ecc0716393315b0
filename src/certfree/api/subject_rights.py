"""HTTP routes of a data subject's rights (PIPL 第44–50条, ``governance.subject_rights``).

The applicant (token ``sub`` = their ID number) downloads what this node holds about them
(``GET /me/data``, JSON or ``?format=html``), asks for corrections of a department's facts
(``/me/corrections``) and objects to kinds of use (``/me/objections``); each sees only their
own. A department admin answers the corrections addressed to their organisation
(``/dept/corrections``, token ``org`` = the department node code or its USCC); a request of
another department is not found for them. Changes are committed before their message is sent,
so a peer that is down leaves them queued for ``POST /subject-requests/deliver-pending``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from certfree import applications
from certfree.api.deps import NodeDep, PathId, SessionDep, allow
from certfree.assembly import NodeRuntime
from certfree.auth import Principal, Role
from certfree.errors import Forbidden
from certfree.exchange import ProviderRefused
from certfree.exchange.verification.delivery import transport_sender
from certfree.governance import subject_rights as rights
from certfree.governance.subject_rights import delivery, export
from certfree.storage import utcnow

router = APIRouter(prefix="/api/v1", tags=["subject_rights"])

_Applicant = Annotated[Principal, Depends(allow(Role.APPLICANT))]
_DeptAdmin = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN))]
_Sender = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN, Role.CLERK))]

_Value = Field(min_length=1, max_length=200)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataCorrectionRequest(_Body):
    """Name the fact by ``data_item`` (a question's data item, e.g. ``residence``) or by
    ``certificate_id`` and ``field`` (a face field of a certificate you hold)."""

    data_item: str | None = Field(default=None, min_length=1, max_length=64)
    certificate_id: str | None = Field(default=None, min_length=1, max_length=128)
    field: str | None = Field(default=None, min_length=1, max_length=64)
    current_value: str = Field(min_length=1, max_length=200, description="as you see it now")
    requested_value: str = Field(min_length=1, max_length=200, description="what it should be")
    reason: str = Field(min_length=1, max_length=1000)
    evidence: str | None = Field(default=None, max_length=4000, description="in words")
    department: str | None = Field(
        default=None, min_length=1, max_length=16, description="default: your region's"
    )
    request_id: str | None = Field(
        default=None, min_length=36, max_length=36, description="UUID; resubmitting is idempotent"
    )


class ReissuedView(BaseModel):
    identifier: str
    superseded: str
    type_code: str
    credential: str = Field(description="the new SD-JWT VC, for the holder's wallet")


class CorrectionView(BaseModel):
    request_id: str
    side: rights.RequestSide
    subject_id: str
    home: str = Field(description="the citizen's node")
    department: str = Field(description="the department node that owns the fact")
    fact: str
    fact_zh: str
    fact_en: str
    data_item: str | None
    certificate_id: str | None
    field: str | None
    current_value: str
    requested_value: str
    reason: str
    evidence: str | None
    requested_at: dt.datetime
    deadline: dt.datetime
    working_days: int
    status: rights.CorrectionStatus
    status_zh: str
    status_en: str
    answer_reason: str | None = Field(description="why (always given when refused)")
    answered_by: str | None
    answered_at: dt.datetime | None
    previous_value: str | None
    reissued: list[ReissuedView]
    delivery: rights.Delivery
    last_delivery_error: str | None

    @classmethod
    def of(cls, row: rights.SubjectRequest, now: dt.datetime | None = None) -> CorrectionView:
        fact = rights.FACTS[row.fact]
        current = rights.effective_status(row, now)
        return cls(
            request_id=row.request_id,
            side=row.side,
            subject_id=row.subject_id,
            home=row.home_code,
            department=row.department_code,
            fact=fact.code,
            fact_zh=fact.label_zh,
            fact_en=fact.label_en,
            data_item=row.data_item,
            certificate_id=row.certificate_id,
            field=row.field,
            current_value=row.current_value,
            requested_value=row.requested_value,
            reason=row.reason,
            evidence=row.evidence,
            requested_at=row.requested_at,
            deadline=row.deadline,
            working_days=rights.CORRECTION_WORKING_DAYS,
            status=current,
            status_zh=current.zh,
            status_en=current.en,
            answer_reason=row.answer_reason,
            answered_by=row.answered_by,
            answered_at=row.answered_at,
            previous_value=row.previous_value,
            reissued=[ReissuedView.model_validate(c) for c in row.reissued if "credential" in c],
            delivery=row.delivery,
            last_delivery_error=row.last_delivery_error,
        )


class CorrectionAnswer(_Body):
    decision: Literal["accept", "refuse"]
    reason: str | None = Field(
        default=None, max_length=1000, description="required when refusing (PIPL 第50条)"
    )


class ObjectionRequest(_Body):
    use: str = Field(min_length=1, max_length=64, description="a verification question's name")
    reason: str = Field(min_length=1, max_length=1000)


class ObjectionView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    use: str
    reason: str
    made_at: dt.datetime
    withdrawn_at: dt.datetime | None


class SubjectRequestDelivery(BaseModel):
    request_id: str
    delivered: bool
    error: str | None


class MyData(BaseModel):
    """Everything this node holds about the caller (``subject_rights.export``)."""

    subject: str
    node: str
    generated_at: str
    limit: int = Field(description="rows per section at most")
    truncated: list[str] = Field(description="sections that had more rows than the limit")
    sections: dict[str, list[dict[str, Any]]] = Field(
        description="registers, certificates, applications, consents, certificate_uses, "
        "commitments, credit, accesses, corrections, objections"
    )


def _applications(session: Session, subject: str, limit: int) -> tuple[list[Any], bool]:
    """The applications the person is a party to, with the parties (the export's section)."""
    _, page = applications.list_applications(session, party=subject, limit=limit + 1)
    rows = [
        {**export.row_json(app), "parties": [export.row_json(p) for p in app.parties]}
        for app in page
    ]
    return export.bounded(rows, limit)


def _region(node: NodeRuntime) -> str:
    """The region whose departments this node's citizens ask: the node itself, or the one a
    department node belongs to."""
    return node.settings.node_code.split("-")[0]


def _sender(node: NodeRuntime) -> delivery.Sender:
    exchange = transport_sender(node.exchange)

    async def send(*, to: str, type: str, body: dict[str, Any]) -> Mapping[str, Any]:
        try:
            return await exchange(to=to, type=type, body=body)
        except ProviderRefused as exc:  # its signed refusal: resending cannot help
            raise rights.PeerRefused(str(exc)) from exc

    return delivery.with_local_answers(
        send,
        db=node.db,
        node=node.settings.node_code,
        keys=node.keys,
        base_url=node.settings.base_url,
        store=rights.RegisterFacts(),
    )


async def _change(
    node: NodeRuntime, work: Callable[[Session], rights.SubjectRequest]
) -> CorrectionView:
    return CorrectionView.of(await delivery.change_and_deliver(node.db, _sender(node), work))


# -- the citizen ------------------------------------------------------------------------------


@router.get("/me/data", response_model=MyData)
def my_data(  # noqa: PLR0917 - FastAPI injects each dependency as a parameter
    request: Request,
    node: NodeDep,
    session: SessionDep,
    principal: _Applicant,
    shape: Annotated[
        Literal["json", "html"], Query(alias="format", description="html: a readable page")
    ] = "json",
    limit: Annotated[int, Query(ge=1, le=rights.EXPORT_LIMIT)] = rights.EXPORT_LIMIT,
) -> Any:
    """Everything this node holds about me (PIPL 第45条), other people's ID numbers masked."""
    held = rights.export_for(
        session,
        principal.subject,
        node=node.settings.node_code,
        limit=limit,
        more={"applications": _applications},
    )
    if shape == "html":
        # The readable page is the web layer's, installed on the app with the pages
        # (certfree.web.my_data); the API does not import the pages.
        render: Callable[..., str] = request.app.state.readable_export
        page = render(request, held, node.settings)
        stamp = held["generated_at"][:10]
        return HTMLResponse(
            page,
            headers={"Content-Disposition": f'attachment; filename="my-data-{stamp}.html"'},
        )
    return held


@router.post("/me/corrections", status_code=status.HTTP_201_CREATED)
async def ask_correction(
    body: DataCorrectionRequest, node: NodeDep, principal: _Applicant
) -> CorrectionView:
    """Ask the department that owns a fact to correct it (PIPL 第46条); sent at once, or
    queued if its node cannot be reached. Answered within 15 working days."""
    return await _change(
        node,
        lambda s: rights.create_correction(
            s,
            subject_id=principal.subject.strip().upper(),
            home=node.settings.node_code,
            department_region=_region(node),
            data_item=body.data_item,
            certificate_id=body.certificate_id,
            field=body.field,
            current_value=body.current_value,
            requested_value=body.requested_value,
            reason=body.reason,
            evidence=body.evidence,
            department=body.department,
            request_id=body.request_id,
        ),
    )


@router.get("/me/corrections")
def my_corrections(session: SessionDep, principal: _Applicant) -> list[CorrectionView]:
    """My corrections, newest first, each with its state, deadline and answer."""
    now = utcnow()
    rows = rights.list_requests(
        session, side=rights.RequestSide.HOME, subject_id=principal.subject.strip().upper()
    )
    return [CorrectionView.of(row, now) for row in rows]


@router.get("/me/corrections/{request_id}")
def my_correction(request_id: str, session: SessionDep, principal: _Applicant) -> CorrectionView:
    """One of my corrections."""
    row = rights.find_request(session, request_id, rights.RequestSide.HOME)
    if row is None or row.subject_id != principal.subject.strip().upper():
        raise rights.SubjectRequestNotFound(f"您没有编号为 {request_id} 的更正申请")
    return CorrectionView.of(row)


@router.post("/me/objections", status_code=status.HTTP_201_CREATED)
def object_to_use(
    body: ObjectionRequest, node: NodeDep, session: SessionDep, principal: _Applicant
) -> ObjectionView:
    """Object to a kind of use of my data (PIPL 第44条): from now on this node asks no
    question of that kind about me."""
    row = rights.object_to_use(
        session,
        principal.subject.strip().upper(),
        use=body.use,
        reason=body.reason,
        node=node.settings.node_code,
    )
    return ObjectionView.model_validate(row)


@router.get("/me/objections")
def my_objections(session: SessionDep, principal: _Applicant) -> list[ObjectionView]:
    """My objections, standing and withdrawn."""
    rows = rights.list_objections(session, principal.subject.strip().upper())
    return [ObjectionView.model_validate(row) for row in rows]


@router.post("/me/objections/{objection_id}/withdraw")
def withdraw_objection(
    objection_id: PathId, node: NodeDep, session: SessionDep, principal: _Applicant
) -> ObjectionView:
    """Withdraw my objection: later uses of that kind may go ahead."""
    row = rights.withdraw_objection(
        session, principal.subject.strip().upper(), objection_id, node=node.settings.node_code
    )
    return ObjectionView.model_validate(row)


# -- the department ---------------------------------------------------------------------------


def _department(session: Session, principal: Principal) -> str:
    """The department node a department admin acts for (token ``org``: its code or USCC)."""
    code = rights.department_node(session, principal.organisation)
    if code is None:
        raise Forbidden(
            "令牌须注明所属部门（org 声明：部门节点编码如 370100-GA，或其统一社会信用代码）"
            "（the token's org must name a department）",
            field="org",
        )
    return code


@router.get("/dept/corrections")
def department_inbox(session: SessionDep, principal: _DeptAdmin) -> list[CorrectionView]:
    """The corrections addressed to my department, newest first."""
    code = _department(session, principal)
    now = utcnow()
    rows = rights.list_requests(session, side=rights.RequestSide.DEPARTMENT, department=code)
    return [CorrectionView.of(row, now) for row in rows]


@router.post("/dept/corrections/{request_id}/answer")
async def answer_correction(
    request_id: str, body: CorrectionAnswer, node: NodeDep, principal: _DeptAdmin
) -> CorrectionView:
    """Accept (the register and the certificates carrying the fact are changed) or refuse
    with a reason; the answer goes back to the citizen's node."""

    def work(session: Session) -> rights.SubjectRequest:
        return rights.answer_correction(
            session,
            request_id,
            department=_department(session, principal),
            accept=body.decision == "accept",
            reason=body.reason,
            answered_by=principal.subject,
            store=rights.RegisterFacts(),
            keys=node.keys,
            base_url=node.settings.base_url,
        )

    return await _change(node, work)


@router.post("/subject-requests/deliver-pending")
async def deliver_pending(node: NodeDep, _: _Sender) -> list[SubjectRequestDelivery]:
    """Send every correction request and answer this node still owes."""
    done = await delivery.deliver_pending(node.db, _sender(node), node=node.settings.node_code)
    return [
        SubjectRequestDelivery(request_id=rid, delivered=not error, error=error or None)
        for rid, error in done
    ]
