"""Lists of applications as a caller may see them, filtered, counted and paged in SQL.

Only a department admin's list is filtered after reading: which requirements are asked of a
department is written in each slot's parts (JSON), which SQLite and PostgreSQL query apart.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from certfree.applications.access import addressed_to
from certfree.applications.models import Application, ApplicationParty
from certfree.applications.vocab import CLOCK_STATES, AppState
from certfree.storage import utcnow
from certfree.workdays import beijing_today

__all__ = ["list_applications"]


def list_applications(
    session: Session,
    *,
    node_code: str | None = None,
    party: str | None = None,
    department: str | None = None,
    state: AppState | None = None,
    service: str | None = None,
    overdue: bool = False,
    limit: int = 50,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> tuple[int, list[Application]]:
    """(how many match, the page ``offset`` … ``offset + limit``), newest first.

    ``node_code``: those accepted by that node · ``party``: those the person (ID number) is
    a party to · ``department``: those with a requirement asked of that node · ``service``:
    a service item code or exact name · ``overdue``: the time limit's clock runs and the
    promised day (Beijing time) has passed.
    """
    query = select(Application)
    if node_code is not None:
        query = query.where(Application.node_code == node_code)
    if party is not None:
        me = party.strip().upper()
        query = query.where(Application.parties.any(ApplicationParty.subject_id == me))
    if state is not None:
        query = query.where(Application.state == state)
    if service is not None:
        query = query.where(
            or_(Application.service_code == service, Application.service_name == service)
        )
    if overdue:
        query = query.where(
            Application.state.in_(CLOCK_STATES),
            Application.due_on < beijing_today(now or utcnow()),
        )
    ordered = query.order_by(Application.created_at.desc(), Application.id.desc())
    if department is not None:
        found = [a for a in session.scalars(ordered) if addressed_to(a, department)]
        return len(found), found[offset : offset + limit]
    return _count(session, query), list(session.scalars(ordered.limit(limit).offset(offset)))


def _count(session: Session, query: Select[Application]) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0
