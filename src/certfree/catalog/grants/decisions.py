"""The log of sharing requests and decisions (``grant_decisions``): who did what to which
grant, when, over which fields, their grade and the legal basis cited.

数据安全法 第27条 asks for data security managed over the whole processing; 个人信息保护法
第55条、第56条 for an assessment and its record before sensitive personal information is
provided to others. The grant keeps its current state; this log keeps how it got there, and is
what the bureau queries (``list_decisions``).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.catalog.grants.bases import LegalBasis
from certfree.catalog.grants.models import Grant, GrantDecision

__all__ = [
    "Approver",
    "ApproverLevel",
    "DecisionAction",
    "decision_view",
    "list_decisions",
    "record_decision",
]


class ApproverLevel(enum.StrEnum):
    DEPARTMENT = "department"  # the providing department's administrator
    BUREAU = "bureau"  # the big-data bureau (大数据局)
    SYSTEM = "system"  # a rule: the share type, the core-data rule

    @property
    def zh(self) -> str:
        return {"department": "提供部门管理员", "bureau": "大数据局", "system": "规则"}[self]

    @property
    def en(self) -> str:
        return {
            "department": "the providing department's administrator",
            "bureau": "the big-data bureau",
            "system": "a rule",
        }[self]


class DecisionAction(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"  # one level's approval of a graded request
    GRANTED = "granted"  # the grant became active
    REFUSED = "refused"
    OVERRIDE = "override"  # the bureau reopened a core-data request, naming its authorisation
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class Approver:
    """Who decides, at which level, for which organisation (a department's code or name)."""

    actor: str
    level: ApproverLevel
    organisation: str | None = None


def record_decision(
    session: Session,
    grant: Grant,
    action: DecisionAction,
    by: Approver,
    *,
    at: dt.datetime,
    note: str | None = None,
) -> GrantDecision:
    """Append one line to the log of requests and decisions (``grant`` must have its id)."""
    row = GrantDecision(
        grant_id=grant.id,
        action=action.value,
        level=by.level.value,
        actor=by.actor[:128],
        organisation=(by.organisation or None) and (by.organisation or "")[:64],
        at=at,
        data_items=list(grant.data_items),
        grade=grant.grade,
        legal_basis=grant.legal_basis,
        legal_basis_text=grant.legal_basis_text,
        note=note[:1000] if note else None,
    )
    session.add(row)
    return row


def list_decisions(
    session: Session,
    *,
    grant_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    party: str | None = None,
) -> list[GrantDecision]:
    """Logged requests and decisions, oldest first; ``party`` keeps those of grants where the
    code is the consumer or the provider."""
    query = select(GrantDecision).order_by(GrantDecision.id)
    if grant_id is not None:
        query = query.where(GrantDecision.grant_id == grant_id)
    if since is not None:
        query = query.where(GrantDecision.at >= since)
    if until is not None:
        query = query.where(GrantDecision.at < until)
    if party is not None:
        query = query.join(Grant, Grant.id == GrantDecision.grant_id).where(
            (Grant.consumer_code == party) | (Grant.provider_code == party)
        )
    return list(session.scalars(query))


def decision_view(row: GrantDecision) -> dict[str, Any]:
    basis = LegalBasis(row.legal_basis) if row.legal_basis else None
    level = ApproverLevel(row.level)
    return {
        "id": row.id,
        "grant_id": row.grant_id,
        "action": row.action,
        "level": row.level,
        "level_zh": level.zh,
        "actor": row.actor,
        "organisation": row.organisation,
        "at": row.at.isoformat(),
        "data_items": list(row.data_items),
        "grade": row.grade,
        "legal_basis": row.legal_basis,
        "legal_basis_zh": basis.zh if basis else None,
        "legal_basis_text": row.legal_basis_text,
        "note": row.note,
    }
