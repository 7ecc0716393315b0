"""Promised time limits count working days of the State Council's holiday arrangement."""

from __future__ import annotations

import datetime as dt

from certfree.workdays import (
    add_working_days,
    beijing_today,
    due_estimated,
    working_days_between,
)


def test_spring_festival_2026_and_its_swapped_saturday() -> None:
    # The State Council's arrangement for 2026: 15–23 February off, Saturday 14 February worked.
    assert add_working_days(dt.date(2026, 2, 13), 1).day == dt.date(2026, 2, 14)
    assert add_working_days(dt.date(2026, 2, 14), 1).day == dt.date(2026, 2, 24)
    assert add_working_days(dt.date(2026, 2, 13), 3).day == dt.date(2026, 2, 25)


def test_ordinary_weeks_skip_weekends_and_zero_days_is_the_same_day() -> None:
    friday = dt.date(2026, 6, 5)
    assert add_working_days(friday, 1).day == dt.date(2026, 6, 8)
    assert add_working_days(friday, 0).day == friday
    assert working_days_between(friday, dt.date(2026, 6, 12)) == 5
    assert working_days_between(friday, friday) == 0


def test_a_year_without_a_published_arrangement_is_an_estimate() -> None:
    known = add_working_days(dt.date(2026, 12, 1), 5)
    assert known.published
    assert known.day == dt.date(2026, 12, 8)
    beyond = add_working_days(dt.date(2026, 12, 28), 10)
    assert not beyond.published  # reaches into 2027: Monday to Friday only
    assert beyond.day == dt.date(2027, 1, 11)
    # The stored due day tells the same, for the view to say it is an estimate.
    assert not due_estimated(known.day)
    assert due_estimated(beyond.day)


def test_the_day_is_beijing_s() -> None:
    late_utc = dt.datetime(2026, 12, 7, 17, 30, tzinfo=dt.UTC)  # 01:30 on the 8th in Beijing
    assert beijing_today(late_utc) == dt.date(2026, 12, 8)
