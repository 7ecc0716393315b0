"""Result certificates (办理结果电子证照): an approval issues them at once, into the wallets.

For a service item with a result type (``ServiceItem.result_cert_type``) the approval writes
what it decides into the node's registers (:mod:`certfree.population.registers`) and seals
the e-certificate to each holder's wallet key (``ApplicationParty.holder_jwk``) through
:func:`certfree.certs.issue_certificate`, so the holder can present it the same minute
(what each kind writes and issues: :mod:`certfree.applications.results.kinds`).

The issuing organ is the service item's implementing department node when it issues the type
(济南市民政局 issues the marriage certificates it registers), else the department of the type
in the accepting node's region, else the type's default organ. A certificate is sealed only
with key binding (``cnf``): certs issues nothing without it (a credential without ``cnf``
cannot be shown, RFC 9901 §4.3), so a party without a registered wallet key makes
:func:`check_results_ready` refuse the approval before anything is decided.

Each register write is queued as a register notice to the department node that keeps the
register (:mod:`certfree.applications.notices`), sent once the approval is committed.

The approving transaction calls :func:`decide_application` (or :func:`check_results_ready`,
``lifecycle.decide`` and :func:`issue_results` in that order); any error leaves the
transaction to be rolled back, so no decision stands without its certificates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from certfree import certs, procedures
from certfree.applications.cases import find_service_item, log_event
from certfree.applications.errors import (
    ResultNotIssuable,
    WrongState,
)
from certfree.applications.lifecycle import check_decision, decide
from certfree.applications.models import Application
from certfree.applications.notices import queue_notices
from certfree.applications.results.kinds import (
    PLANNERS,
    Case,
    ResultPlan,
)
from certfree.applications.vocab import Action, Decision
from certfree.crypto import KeyStore
from certfree.errors import InvalidInput
from certfree.storage import utcnow

__all__ = ["check_results_ready", "decide_application", "issue_results"]


def _issuer(
    session: Session, app: Application, item: procedures.ServiceItem, kind: certs.CertType
) -> certs.Issuer:
    region = app.node_code.split("-", 1)[0]
    for code in (item.node_code, f"{region}-{kind.department.value}"):
        if code and code.upper().endswith(f"-{kind.department.value}"):
            try:
                return certs.resolve_issuer(session, kind, code)
            except InvalidInput:  # not a registered node here
                continue
    return certs.resolve_issuer(session, kind, None)


def check_results_ready(
    session: Session, app: Application, *, now: dt.datetime | None = None
) -> ResultPlan | None:
    """What approving ``app`` would issue, checked now, before the decision: None when the
    service item issues no result certificate.

    Raises ResultNotIssuable (a type this node cannot issue from its registers, a party not
    on the register, no wallet key, the firm's details missing or its name taken),
    RequirementsNotMet (a party the marriage register shows as married), PartyMissing, and
    certs' FaceDataInvalid (e.g. an elderly card for someone under 60)."""
    item = find_service_item(session, app.service_code)
    if not item.result_cert_type:
        return None
    kind = certs.cert_type(item.result_cert_type)
    planner = PLANNERS.get(kind.code)
    if planner is None:
        raise ResultNotIssuable(
            f"本节点尚不能根据登记库签发「{kind.name}」（{kind.code}），请由发证机关签发"
            f"（this node cannot issue {kind.name_en} from its registers）",
            field="result_cert_type",
        )
    case = Case(session, app, kind, _issuer(session, app, item, kind), certs.today(now))
    plan = ResultPlan(kind, case.issuer)
    planner(case, plan)
    for pending in plan.pending:
        if not pending.party.holder_jwk:
            label = procedures.PartyRole(pending.party.role).label_zh
            raise ResultNotIssuable(
                f"{label} {pending.party.subject_id} 尚未登记卡包公钥，{kind.name}须签发到其卡包；"
                "请当事人在授权时提交卡包公钥后再作决定"
                f"（the {pending.party.role} has no wallet key registered: the certificate is "
                "bound to it）",
                field=f"parties.{pending.party.role}.holder_jwk",
            )
        face = certs.check_face_data(kind, pending.face)
        certs.check_holder_id(kind, pending.holder_id, face)
        certs.derive_predicates(kind, face, case.day)
        home = (
            None
            if pending.new_holder
            else certs.check_holder_registered(session, kind, pending.holder_id)
        )
        certs.check_jurisdiction(kind, case.issuer, pending.registered_in or home)
    return plan


def _actor(app: Application) -> str:
    decided = [e.actor for e in app.events if e.action == Action.DECIDE.value]
    return decided[-1] if decided else f"node:{app.node_code}"


def issue_results(
    session: Session,
    keys: KeyStore,
    app: Application,
    *,
    base_url: str,
    now: dt.datetime | None = None,
    actor: str | None = None,
) -> list[dict[str, Any]]:
    """Issue the result certificates of the approved ``app`` (module docstring): write the
    registers, seal each certificate to its holder's wallet key, append each to
    ``app.issued`` with an ``issue`` event. Returns the new ``issued`` entries (none when the
    service item has no result type). WrongState unless approved and not yet issued."""
    if app.decision is not Decision.APPROVED:
        raise WrongState(
            f"办件 {app.id} 未准予办理，不能签发结果证照（only an approval issues a result）",
            field="decision",
        )
    if any(entry.get("certificate_id") for entry in app.issued):
        raise WrongState(f"办件 {app.id} 的结果证照已签发（already issued）", field="issued")
    moment = now or utcnow()
    plan = check_results_ready(session, app, now=moment)
    return _seal(session, keys, app, plan, base_url=base_url, now=moment, actor=actor)


def _seal(
    session: Session,
    keys: KeyStore,
    app: Application,
    plan: ResultPlan | None,
    *,
    base_url: str,
    now: dt.datetime,
    actor: str | None,
) -> list[dict[str, Any]]:
    """Carry out ``plan`` (checked by check_results_ready): registers, notices, certificates."""
    if plan is None:
        return []
    moment = now
    who = actor or _actor(app)
    plan.write()
    queue_notices(session, app, plan.acts, actor=who, now=moment)
    entries: list[dict[str, Any]] = []
    for pending in plan.pending:
        assert pending.party.holder_jwk is not None  # checked in check_results_ready
        issued = certs.issue_certificate(
            session,
            keys,
            type_code=plan.kind.code,
            holder_id=pending.holder_id,
            face_data=pending.face,
            holder_jwk=pending.party.holder_jwk,
            issuer_uscc=plan.issuer.uscc,
            now=moment,
            base_url=base_url,
            registered_in=pending.registered_in,
        )
        entry = {
            "type": plan.kind.code,
            "type_name": plan.kind.name,
            "holder": issued.holder_id,
            "party": pending.party.role,
            "issuer": issued.issuer_uscc,
            "certificate_id": issued.identifier,
            "credential": issued.credential,
            "issued_at": moment.isoformat(),
        }
        entries.append(entry)
        detail = {k: entry[k] for k in ("type", "holder", "party", "certificate_id")}
        log_event(app, actor=who, action=Action.ISSUE, detail=detail, now=moment)
    app.issued = [*app.issued, *entries]  # a new list, so the JSON column is written
    return entries


def decide_application(
    session: Session,
    keys: KeyStore,
    app: Application,
    *,
    actor: str,
    approve: bool,
    base_url: str,
    reason: str | None = None,
    requirement: int | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """办结 with its result: an approval is refused before deciding when its certificates
    cannot be issued, then decided and issued in the caller's transaction (roll it back on
    any error). Returns the issued entries (none for a refusal)."""
    moment = now or utcnow()
    check_decision(app, approve=approve, reason=reason, requirement=requirement)
    # The plan checked before deciding is the one carried out (one new firm code, one look-up).
    plan = check_results_ready(session, app, now=moment) if approve else None
    decide(
        app, keys, actor=actor, approve=approve, reason=reason, requirement=requirement, now=moment
    )
    return _seal(session, keys, app, plan, base_url=base_url, now=moment, actor=actor)
