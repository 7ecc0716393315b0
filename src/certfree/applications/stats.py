"""Figures over applications (成绩单 of the 办件): counted from the cases themselves, so they
cannot drift from what happened.

``certfree applications stats --json`` and ``GET /api/v1/applications/stats`` give them, for
one accepting node or all; see :mod:`certfree.applications.views` for the per-application
definitions (proofs not demanded, trips saved, time to decision).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from certfree.applications.models import Application
from certfree.applications.views import is_overdue, not_demanded, trips_saved
from certfree.applications.vocab import AppState, Decision
from certfree.proofs import WAY_PREFERENCE, Way
from certfree.storage import utcnow
from certfree.workdays import BEIJING

__all__ = [
    "ApplicationStats",
    "DecisionTimes",
    "StatsGroup",
    "StatsGrouping",
    "application_stats",
    "grouped_stats",
]


class StatsGrouping(StrEnum):
    """How :func:`grouped_stats` splits the applications."""

    SERVICE_ITEM = "service_item"  # by the service item applied for
    MONTH = "month"  # by the month (Beijing time) an application was submitted, else started


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
    return _figures(session.scalars(query).all(), node_code, since, now or utcnow())


def _figures(
    apps: Sequence[Application],
    node_code: str | None,
    since: dt.datetime | None,
    moment: dt.datetime,
) -> ApplicationStats:
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


class StatsGroup(BaseModel):
    """The figures of one group: its key (a service code or ``YYYY-MM``) and its label."""

    key: str
    label: str
    figures: ApplicationStats


def _month(app: Application) -> str:
    moment = app.submitted_at or app.created_at
    return moment.astimezone(BEIJING).strftime("%Y-%m")


def grouped_stats(
    session: Session,
    by: StatsGrouping,
    *,
    node_code: str | None = None,
    now: dt.datetime | None = None,
) -> list[StatsGroup]:
    """:func:`application_stats` for each service item (by code) or each month, in order."""
    query = select(Application).options(selectinload(Application.slots))
    if node_code is not None:
        query = query.where(Application.node_code == node_code)
    groups: dict[str, list[Application]] = defaultdict(list)
    labels: dict[str, str] = {}
    for app in session.scalars(query):
        key = app.service_code if by is StatsGrouping.SERVICE_ITEM else _month(app)
        groups[key].append(app)
        labels[key] = app.service_name if by is StatsGrouping.SERVICE_ITEM else key
    moment = now or utcnow()
    return [
        StatsGroup(
            key=key, label=labels[key], figures=_figures(groups[key], node_code, None, moment)
        )
        for key in sorted(groups)
    ]
