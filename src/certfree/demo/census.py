"""The figures the demo population is drawn from, and the demo's geography.

Approximations of Shandong's 2020 census (第七次全国人口普查) — enough for plausible data, not
statistics: city populations set how people spread over the 16 cities (evenly over each city's
current counties), and a five-year age pyramid sets the ages of household heads.
"""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from certfree.identifiers import counties_of, shandong_cities

__all__ = [
    "AGE_BANDS",
    "CITY_POPULATION_10K",
    "YEAR",
    "DateTable",
    "Geography",
    "apportion",
    "date_table",
]

# Resident population of each city in units of 10,000 (2020 census bulletins, rounded).
CITY_POPULATION_10K: dict[str, int] = {
    "370100": 920, "370200": 1007, "370300": 470, "370400": 386, "370500": 219,
    "370600": 710, "370700": 939, "370800": 836, "370900": 547, "371000": 291,
    "371100": 297, "371300": 1102, "371400": 561, "371500": 595, "371600": 393,
    "371700": 880,
}  # fmt: skip

YEAR = 365.2425  # mean Gregorian year in days, for ages that need no legal precision

# Share (per mille) of the population in each five-year age band 0-4 … 95-99.
AGE_BANDS: tuple[int, ...] = (
    56, 66, 65, 53, 50, 60, 82, 69, 64, 80, 88, 75, 55, 59, 43, 26, 17, 9, 3, 1,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class County:
    """A county-level division and the city it belongs to."""

    code: str
    name: str
    city_code: str
    city_name: str


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


class Geography:
    """Current counties of some Shandong cities (default: all 16) with sampling weights.

    County indices are positions in ``counties``; read from ``certfree.identifiers``.
    """

    def __init__(self, city_codes: Sequence[str] | None = None) -> None:
        self.counties: list[County] = []
        weights: list[float] = []
        self.city_counties: dict[str, list[int]] = {}
        for city in shandong_cities():
            if city_codes is not None and city.code not in city_codes:
                continue
            members = counties_of(city.code)
            share = CITY_POPULATION_10K.get(city.code, 300) / len(members)
            indices = self.city_counties.setdefault(city.code, [])
            for county in members:
                indices.append(len(self.counties))
                self.counties.append(County(county.code, county.name, city.code, city.name))
                weights.append(share)
        self._cumulative = list(accumulate(weights))
        self._total = self._cumulative[-1]

    def pick(self, u: float) -> int:
        """Index of a county for a uniform draw ``u`` in [0, 1), weighted by population."""
        return bisect(self._cumulative, u * self._total)


class DateTable:
    """Strings and calendar facts for every day from ``first`` to ``last`` (ordinals).

    Generating a million rows formats the same ~45,000 days over and over; list lookups
    indexed by ``ordinal - first`` are several times cheaper than ``datetime.date`` calls.
    """

    def __init__(self, first: int, last: int) -> None:
        self.first = first
        self.last = last
        days = [dt.date.fromordinal(o) for o in range(first, last + 1)]
        self.iso = [d.isoformat() for d in days]
        self.compact = [text.replace("-", "") for text in self.iso]
        self.year = [d.year for d in days]
        self._after_february = [int(d.month > 2) for d in days]
        self._first_year = days[0].year
        years = range(self._first_year, days[-1].year + _YEARS_AHEAD + 1)
        self._new_year = [dt.date(y, 1, 1).toordinal() for y in years]
        self._leap = [int(calendar.isleap(y)) for y in years]

    def add_years(self, ordinal: int, years: int) -> int:
        """The ordinal of the same calendar day ``years`` later (29 Feb moves to 1 Mar).

        This is the day someone born on ``ordinal`` reaches that age, as Chinese law counts
        it. ``ordinal`` must lie in the table and the result at most 120 years past its end.
        """
        i = ordinal - self.first
        y = self.year[i] - self._first_year
        t = y + years
        # Same day-of-year offset from 1 January, shifted by one day when exactly one of the
        # two years is a leap year and the day is after February (29 Feb lands on 1 Mar).
        shift = (self._leap[t] - self._leap[y]) * self._after_february[i]
        return ordinal + self._new_year[t] - self._new_year[y] + shift


_YEARS_AHEAD = 120


@cache
def date_table(first: int, last: int) -> DateTable:
    """The :class:`DateTable` of ``first`` … ``last``, built once per process."""
    return DateTable(first, last)
