"""The node's seals on an application: the receipt (回执) and the decision record.

Both are compact JWS made with the node's key (统一签章, as commitments are sealed), so anyone
holding the node's JWKS can check them. The decision record also carries the SM3 digest
(GB/T 32905) of the decision's text, so a printed decision can be matched to its seal.
"""

from __future__ import annotations

from typing import Any

from certfree.applications.models import Application
from certfree.applications.vocab import Decision
from certfree.auth import NODE_KEY_OWNER
from certfree.crypto import KeyStore, sign_jws, sm3
from certfree.exchange.register_notices import DECISION_TYPE
from certfree.workdays import BEIJING

__all__ = ["DECISION_TYPE", "RECEIPT_TYPE", "decision_text", "seal_decision", "seal_receipt"]

RECEIPT_TYPE = "certfree-application-receipt+jwt"


def _parties(app: Application) -> list[dict[str, str]]:
    return [{"role": p.role, "id": p.subject_id} for p in app.parties]


def seal_receipt(app: Application, keys: KeyStore) -> str:
    assert app.submitted_at is not None
    claims: dict[str, Any] = {
        "application": app.id,
        "node": app.node_code,
        "service_item": app.service_code,
        "service_name": app.service_name,
        "parties": _parties(app),
        "requirements": [s.requirement for s in app.slots],
        "promised_days": app.promised_days,
        "iat": int(app.submitted_at.timestamp()),
    }
    return sign_jws(keys.signer(NODE_KEY_OWNER), claims, header={"typ": RECEIPT_TYPE})


def decision_text(app: Application) -> str:
    """The decision as the applicant reads it (Chinese, the legal language of the record)."""
    assert app.decided_at is not None
    assert app.decision is not None
    day = app.decided_at.astimezone(BEIJING).date().isoformat()
    who = "、".join(p.subject_id for p in app.parties)
    if app.decision is Decision.APPROVED:
        return f"{day}，准予办理「{app.service_name}」（办件 {app.id}，当事人 {who}）。"
    cited = next(s for s in app.slots if s.position == app.decision_requirement)
    return (
        f"{day}，不予办理「{app.service_name}」（办件 {app.id}，当事人 {who}）。"
        f"依据申请条件「{cited.requirement}」：{app.decision_reason}"
    )


def seal_decision(app: Application, keys: KeyStore) -> str:
    assert app.decided_at is not None
    assert app.decision is not None
    text = decision_text(app)
    claims: dict[str, Any] = {
        "application": app.id,
        "node": app.node_code,
        "service_item": app.service_code,
        "parties": _parties(app),
        "decision": app.decision.value,
        "requirement": app.decision_requirement,
        "reason": app.decision_reason,
        "text": text,
        "text_sm3": "sm3:" + sm3(text.encode("utf-8")).hex(),
        "evidence": [
            {
                "requirement": s.position,
                "way": s.way.value if s.way else None,
                "status": s.status.value,
            }
            for s in app.slots
        ],
        "iat": int(app.decided_at.timestamp()),
    }
    return sign_jws(keys.signer(NODE_KEY_OWNER), claims, header={"typ": DECISION_TYPE})
