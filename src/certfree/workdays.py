"""Working days in Beijing time: the promised time limits (承诺时限) of service items, the
deadline of a data subject's correction, any time limit counted in working days.

A time limit counts working days (工作日) under the State Council's yearly holiday arrangement
(国务院办公厅关于部分节假日安排的通知), with its swapped working weekends (调休), as the
``chinesecalendar`` library keeps it. A year the library does not know yet (the notice is
published late in the year before) counts Monday to Friday: ``DueDate.published`` is False
for a count that reached into such a year, and :func:`due_estimated` tells the same of a due
day already stored (only the due day's year matters: the library knows years in a row, so a
due day in a known year was counted on published arrangements all the way).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = [
    "BEIJING",
    "DueDate",
    "add_working_days",
    "beijing_today",
    "due_estimated",
    "is_working_day",
    "working_days_between",
]

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class DueDate:
    day: dt.date
    published: bool  # False when a year on the way has no published holiday arrangement yet


def beijing_today(now: dt.datetime) -> dt.date:
    """The calendar day in Beijing at the instant ``now`` (timezone-aware)."""
    return now.astimezone(BEIJING).date()


def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(working day?, from a published arrangement?) for ``day``."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def due_estimated(due_on: dt.date) -> bool:
    """Whether a due day is an estimate: its year has no published holiday arrangement yet,
    so the days to it were counted Monday to Friday (module docstring)."""
    return not is_working_day(due_on)[1]


def add_working_days(start: dt.date, days: int) -> DueDate:
    """The day on which ``days`` working days after ``start`` end (``start`` itself not
    counted: 自受理之日起 counts from the next day); ``start`` for zero days (当场办结)."""
    day, published, left = start, True, days
    while left > 0:
        day += dt.timedelta(days=1)
        working, known = is_working_day(day)
        published = published and known
        left -= working
    return DueDate(day, published)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)[0]
    return count
