"""Figures over applications (成绩单 of the 办件): counted from the cases themselves, so they
cannot drift from what happened.

``certfree applications stats --json`` and ``GET /api/v1/applications/stats`` give them, for
one accepting node or all; see :mod:`certfree.applications.views` for the per-application
definitions (proofs not demanded, trips saved, time to decision).
"""

from __future__ import annotations

import datetime as dt
import statistics

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from certfree.applications.models import Application
from certfree.applications.views import is_overdue, not_demanded, trips_saved
from certfree.applications.vocab import AppState, Decision
from certfree.proofs import WAY_PREFERENCE, Way
from certfree.storage import utcnow

__all__ = ["ApplicationStats", "DecisionTimes", "application_stats"]


class DecisionTimes(BaseModel):
    count: int
    median: float | None
    mean: float | None


class ApplicationStats(BaseModel):
    """Figures over a node's applications (seconds from submission to decision)."""

    node: str | None
    since: dt.datetime | None
    applications: int
    by_state: dict[str, int]
    approved: int
    refused: int
    completed_without_paper: int
    proofs_not_demanded: int
    proofs_not_demanded_by_way: dict[str, int]
    paper_proofs_required: int
    trips_saved: int
    seconds_to_decision: DecisionTimes
    overdue: int


def application_stats(
    session: Session,
    *,
    node_code: str | None = None,
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ApplicationStats:
    """Counts by state and decision, proofs not demanded by way, trips saved, paperless
    completions, time from submission to decision (median and mean seconds), overdue.

    Proofs not demanded, paper proofs required, trips saved and paperless completions count
    approved applications only (a case still open, refused or withdrawn has spared nobody
    anything yet); time to decision counts every decided one; overdue counts those whose
    clock runs (accepted or verifying) past their due day, as the view says."""
    query = select(Application).options(selectinload(Application.slots))
    if node_code is not None:
        query = query.where(Application.node_code == node_code)
    if since is not None:
        query = query.where(Application.created_at >= since)
    apps = session.scalars(query).all()
    moment = now or utcnow()
    by_way = {way.value: 0 for way in WAY_PREFERENCE if way is not Way.PAPER}
    paper = trips = paperless = 0
    durations: list[float] = []
    for app in apps:
        if app.submitted_at is not None and app.decided_at is not None:
            durations.append((app.decided_at - app.submitted_at).total_seconds())
        if app.decision is not Decision.APPROVED:
            continue
        for way, count in not_demanded(app).items():
            by_way[way] += count
        paper += sum(1 for slot in app.slots if slot.way is Way.PAPER)
        trips += trips_saved(app)
        if all(s.way is not Way.PAPER for s in app.slots):
            paperless += 1
    return ApplicationStats(
        node=node_code,
        since=since,
        applications=len(apps),
        by_state={state.value: sum(1 for a in apps if a.state is state) for state in AppState},
        approved=sum(1 for a in apps if a.decision is Decision.APPROVED),
        refused=sum(1 for a in apps if a.decision is Decision.REFUSED),
        completed_without_paper=paperless,
        proofs_not_demanded=sum(by_way.values()),
        proofs_not_demanded_by_way=by_way,
        paper_proofs_required=paper,
        trips_saved=trips,
        seconds_to_decision=DecisionTimes(
            count=len(durations),
            median=statistics.median(durations) if durations else None,
            mean=statistics.fmean(durations) if durations else None,
        ),
        overdue=sum(1 for a in apps if is_overdue(a, moment)),
    )
