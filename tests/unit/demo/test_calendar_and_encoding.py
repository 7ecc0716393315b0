"""The generator's calendar arithmetic, apportionment and row encodings."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from certfree.demo.bulk import encode_rows
from certfree.demo.census import apportion, date_table

FIRST = dt.date(1920, 1, 1).toordinal()
LAST = dt.date(2050, 12, 31).toordinal()


def _naive_add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 1 March, as age is counted
        return dt.date(day.year + years, 3, 1)


@given(st.integers(FIRST, LAST), st.integers(0, 60))
def test_add_years_matches_the_calendar(ordinal: int, years: int) -> None:
    table = date_table(FIRST, LAST)
    day = dt.date.fromordinal(ordinal)
    assert dt.date.fromordinal(table.add_years(ordinal, years)) == _naive_add_years(day, years)


def test_leap_day_birthdays() -> None:
    table = date_table(FIRST, LAST)
    leap = dt.date(2000, 2, 29).toordinal()
    assert dt.date.fromordinal(table.add_years(leap, 22)) == dt.date(2022, 3, 1)
    assert dt.date.fromordinal(table.add_years(leap, 24)) == dt.date(2024, 2, 29)
    assert table.iso[leap - FIRST] == "2000-02-29"
    assert table.compact[leap - FIRST] == "20000229"


@given(st.integers(0, 10**6), st.lists(st.integers(1, 1000), min_size=1, max_size=20))
def test_apportion_is_exact_and_proportional(total: int, weights: list[int]) -> None:
    parts = apportion(total, weights)
    assert sum(parts) == total
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / whole) < 1


def test_copy_text_escapes_and_nulls() -> None:
    rows = [("a\tb", None, True, 12, "x\\y\nz"), ("鲁A·12345", "", False, 0, "2024-06-01")]
    (payload,) = encode_rows("copy", rows)
    assert payload == "a\\tb\t\\N\tt\t12\tx\\\\y\\nz\n鲁A·12345\t\tf\t0\t2024-06-01\n"


def test_json_chunks_round_trip() -> None:
    rows = [(f"id{i}", "王伟", i, i % 2 == 0, None) for i in range(45_000)]
    chunks = encode_rows("json", rows)
    assert len(chunks) == 3
    decoded = [tuple(row) for chunk in chunks for row in json.loads(str(chunk))]
    assert decoded == rows
