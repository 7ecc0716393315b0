"""One city's share of the demo province, generated independently of the others.

Each city draws from its own ``random.Random`` seeded with ``"<seed>:<city code>"``, and every
identifier that must be unique carries the city or one of its county codes (or, for firms, a
province-wide firm number), so cities can be generated in any order, in parallel processes,
and the rows are the same. :func:`generate_city` is a top-level function of plain data in and
out so that a process pool can run it.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

from certfree.demo.bulk import Encoding, Payload, encode_rows
from certfree.demo.census import Geography, date_table
from certfree.demo.firms import FIRM_COLUMNS, TAX_COLUMNS, make_firms, make_tax
from certfree.demo.holdings import (
    INSURANCE_COLUMNS,
    LICENCE_COLUMNS,
    TITLE_COLUMNS,
    VEHICLE_COLUMNS,
    make_insurance,
    make_titles,
    make_traffic,
)
from certfree.demo.people import (
    HOUSEHOLD_COLUMNS,
    MARRIAGE_COLUMNS,
    OLDEST,
    PERSON_COLUMNS,
    make_people,
)

__all__ = ["CityPlan", "CityRows", "TableRows", "gc_paused", "generate_city"]


@dataclass(frozen=True, slots=True)
class CityPlan:
    """What to generate for one city; ``today`` is an ordinal, ``firm_serials`` the
    province-wide numbers of this city's firms."""

    city_code: str
    citizens: int
    firm_serials: range
    seed: int
    today: int
    encoding: Encoding
    body_map: tuple[int, int]


@dataclass(frozen=True, slots=True)
class TableRows:
    """One table's rows of a city, encoded in chunks for ``certfree.demo.bulk.write``."""

    table: str
    columns: tuple[str, ...]
    count: int
    chunks: list[Payload]


@dataclass(slots=True)
class CityRows:
    """A generated city: its tables in the order they must be written (parents first)."""

    city_code: str
    citizens: int
    tables: list[TableRows] = field(default_factory=list)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Suspend the cycle collector: millions of new row tuples would trigger it again and
    again for nothing (rows hold only strings, numbers and None)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def generate_city(plan: CityPlan) -> CityRows:
    """Generate and encode all of ``plan``'s rows; a pure function of ``plan``."""
    with gc_paused():
        return _generate(plan)


def _generate(plan: CityPlan) -> CityRows:
    rng = random.Random(f"{plan.seed}:{plan.city_code}")  # noqa: S311 - reproducible synthetic data
    geo = Geography([plan.city_code])
    today = plan.today
    dates = date_table(today - int((OLDEST + 1) * 366), today + 20 * 366)
    result = CityRows(plan.city_code, plan.citizens)

    def add(table: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
        # In primary-key order, the database appends to its key index instead of inserting at
        # random places: a third less work for SQLite. Keys lead each row; only insurance
        # enrolments have a two-column key.
        key = itemgetter(0, 1) if table == "insurance_enrolments" else itemgetter(0)
        chunks = encode_rows(plan.encoding, sorted(rows, key=key))
        result.tables.append(TableRows(table, columns, len(rows), chunks))

    people = make_people(rng, geo, dates, citizens=plan.citizens, today=today)
    add("households", HOUSEHOLD_COLUMNS, people.households)
    add("persons", PERSON_COLUMNS, people.persons)
    add("marriages", MARRIAGE_COLUMNS, people.marriages)
    add("property_titles", TITLE_COLUMNS, make_titles(rng, people, geo, dates, today=today))
    add("insurance_enrolments", INSURANCE_COLUMNS, make_insurance(rng, people, dates, today=today))
    licences, vehicles = make_traffic(rng, people, geo, dates, today=today)
    add("driving_licences", LICENCE_COLUMNS, licences)
    add("vehicles", VEHICLE_COLUMNS, vehicles)
    firms = make_firms(
        rng, people, geo, dates, today=today, serials=plan.firm_serials, body_map=plan.body_map
    )
    add("firms", FIRM_COLUMNS, firms)
    add("tax_standings", TAX_COLUMNS, make_tax(rng, people, firms, dates, today=today))
    return result
