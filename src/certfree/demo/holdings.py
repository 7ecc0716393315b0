"""Property titles, social insurance, driving licences and vehicles of the generated people.

Each function draws from the shared seeded ``rng`` in a fixed order, so a seed fixes every row.
Dates respect the people's lives: nobody holds a title, a licence or a job before 18, a
licence's validity follows the 6-year / 10-year / long-term cycle of 《机动车驾驶证申领和使用规定》,
and the deceased keep only terminated enrolments.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from certfree.demo.census import YEAR, DateTable, Geography
from certfree.demo.people import People
from certfree.population import (
    InsuranceKind,
    InsuranceStatus,
    LicenceClass,
    VehicleType,
    plate_prefix,
)

__all__ = [
    "INSURANCE_COLUMNS",
    "LICENCE_COLUMNS",
    "TITLE_COLUMNS",
    "VEHICLE_COLUMNS",
    "make_insurance",
    "make_titles",
    "make_traffic",
]

TITLE_COLUMNS = (
    "certificate_no",
    "owner_id",
    "co_owner_id",
    "division_code",
    "area_dm2",
    "registered_on",
)
INSURANCE_COLUMNS = ("id_number", "kind", "enrolled_on", "status")
LICENCE_COLUMNS = ("id_number", "licence_class", "first_issued_on", "valid_until")
VEHICLE_COLUMNS = ("plate", "owner_id", "vehicle_type", "registered_on")

Row = tuple[object, ...]

# 不动产统一登记 certificates exist since the 2015 regulation (《不动产登记暂行条例》).
_TITLES_SINCE = dt.date(2016, 1, 1).toordinal()
_INSURANCE_SINCE = dt.date(1998, 1, 1).toordinal()
_LICENCES_SINCE = dt.date(1990, 1, 1).toordinal()
_ADULT = int(18 * YEAR) + 1

_PENSION, _MEDICAL = InsuranceKind.PENSION.value, InsuranceKind.MEDICAL.value
_UNEMPLOYMENT, _INJURY = InsuranceKind.UNEMPLOYMENT.value, InsuranceKind.WORK_INJURY.value
_ACTIVE, _SUSPENDED = InsuranceStatus.ACTIVE.value, InsuranceStatus.SUSPENDED.value
_RECEIVING, _TERMINATED = InsuranceStatus.RECEIVING.value, InsuranceStatus.TERMINATED.value

# Licence classes with cumulative shares; most drivers hold C1.
_CLASSES = (
    (0.70, LicenceClass.C1), (0.84, LicenceClass.C2), (0.89, LicenceClass.B2),
    (0.91, LicenceClass.A1), (0.93, LicenceClass.A2), (0.95, LicenceClass.B1),
    (1.00, LicenceClass.D),
)  # fmt: skip
_HEAVY = frozenset({LicenceClass.A1, LicenceClass.A2, LicenceClass.B1, LicenceClass.B2})
# GA 36: plate serials use digits and capital letters except I and O.
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "0123456789"


def make_titles(
    rng: random.Random, people: People, geo: Geography, dates: DateTable, *, today: int
) -> list[Row]:
    """Real-estate titles: about half the living household heads own a home (a tenth two),
    co-owned with the spouse in three cases of five; the number counts up per city and year.
    """
    r, p = rng.random, people
    serials: dict[tuple[str, int], int] = {}
    rows: list[Row] = []
    for head in p.heads:
        if not p.alive[head] or today - p.birth[head] < 20 * YEAR or r() >= 0.55:
            continue
        for _ in range(2 if r() < 0.1 else 1):
            spouse = p.spouse[head]
            co_owner = spouse if spouse >= 0 and r() < 0.6 else -1
            start = max(_TITLES_SINCE, dates.add_years(p.birth[head], 18))
            if co_owner >= 0:
                start = max(start, dates.add_years(p.birth[co_owner], 18))
            if start > today:
                continue
            registered = start + int(r() * (today - start + 1))
            county = p.county[head]
            if r() >= 0.8:  # bought elsewhere in the same city
                siblings = geo.city_counties[geo.counties[county].city_code]
                county = siblings[int(r() * len(siblings))]
            place = geo.counties[county]
            year = dates.year[registered - dates.first]
            serial = serials.get((place.city_code, year), 0) + 1
            serials[place.city_code, year] = serial
            rows.append(
                (
                    f"鲁({year}){place.city_name}不动产权第{serial:07d}号",
                    p.ids[head],
                    p.ids[co_owner] if co_owner >= 0 else None,
                    place.code,
                    4000 + int(r() * 14000),
                    dates.iso[registered - dates.first],
                )
            )
    return rows


def make_insurance(
    rng: random.Random, people: People, dates: DateTable, *, today: int
) -> list[Row]:
    """Social-insurance enrolments: medical cover for nearly everyone, pension for most
    working-age adults (paid out after retirement at 60 for men, 55 for women), unemployment and
    work-injury cover for the employed half; the deceased's enrolments are terminated.
    """
    r, p, iso, first = rng.random, people, dates.iso, dates.first
    rows: list[Row] = []
    append = rows.append
    for i, id_number in enumerate(p.ids):
        birth = p.birth[i]
        age = today - birth
        if age < _ADULT:
            if r() < 0.92:
                enrolled = birth + int(r() * min(age + 1, 3 * 365))
                append((id_number, _MEDICAL, iso[enrolled - first], _ACTIVE))
            continue
        start = max(_INSURANCE_SINCE, birth + _ADULT)
        start = min(start, today)
        if not p.alive[i]:
            append((id_number, _MEDICAL, iso[start - first], _TERMINATED))
            continue
        retirement = birth + int((60 if p.male[i] else 55) * YEAR)
        if r() < 0.95:
            enrolled = start + int(r() * (today - start + 1))
            append((id_number, _MEDICAL, iso[enrolled - first], _ACTIVE))
        if retirement <= today:
            if r() < 0.8:
                enrolled = start + int(r() * max(1, retirement - start))
                append((id_number, _PENSION, iso[min(enrolled, today) - first], _RECEIVING))
            continue
        if r() >= 0.88:
            continue
        enrolled = start + int(r() * (today - start + 1))
        status = _ACTIVE if r() < 0.9 else _SUSPENDED
        append((id_number, _PENSION, iso[enrolled - first], status))
        if status == _ACTIVE and r() < 0.6:  # employed: the employer enrols them too
            append((id_number, _UNEMPLOYMENT, iso[enrolled - first], _ACTIVE))
            append((id_number, _INJURY, iso[enrolled - first], _ACTIVE))
    return rows


def make_traffic(
    rng: random.Random, people: People, geo: Geography, dates: DateTable, *, today: int
) -> tuple[list[Row], list[Row]]:
    """Driving licences for about half the living adults under 70, and vehicles for half the
    licence holders (a few own two), plated in their city of registration; returns
    ``(licences, vehicles)``.
    """
    r, p, iso, first = rng.random, people, dates.iso, dates.first
    licences: list[Row] = []
    vehicles: list[Row] = []
    plates: set[str] = set()
    prefixes = {c.city_code: plate_prefix(c.city_code) + "·" for c in geo.counties}
    for i, id_number in enumerate(p.ids):
        age = today - p.birth[i]
        if age < _ADULT or age >= 70 * YEAR or not p.alive[i]:
            continue
        if r() >= (0.6 if p.male[i] else 0.42):
            continue
        start = max(_LICENCES_SINCE, dates.add_years(p.birth[i], 18))
        if start > today:
            continue
        issued = start + int(r() * (today - start + 1))
        u = r()
        licence_class = next(c for share, c in _CLASSES if u < share)
        # Validity: 6 years, then 10 years, then long-term (NULL); a few let theirs lapse.
        valid_until: int | None = dates.add_years(issued, 6)
        if valid_until is not None and valid_until < today and r() < 0.97:
            valid_until = dates.add_years(issued, 16)
            if valid_until < today:
                valid_until = None
        licences.append(
            (
                id_number,
                licence_class.value,
                iso[issued - first],
                None if valid_until is None else iso[valid_until - first],
            )
        )
        if r() >= 0.5:
            continue
        prefix = prefixes[geo.counties[p.county[i]].city_code]
        for _ in range(2 if r() < 0.08 else 1):
            plate = _new_plate(r, prefix, plates)
            if licence_class is LicenceClass.D:
                kind = VehicleType.MOTORCYCLE
            elif licence_class in _HEAVY and r() < 0.5:
                kind = VehicleType.LARGE_CAR
            else:
                kind = VehicleType.SMALL_CAR
            registered = issued + int(r() * (today - issued + 1))
            vehicles.append((plate, id_number, kind.value, iso[registered - first]))
    return licences, vehicles


def _new_plate(r: Callable[[], float], prefix: str, taken: set[str]) -> str:
    """A free plate such as 鲁A·12345, 鲁A·B1234 or 鲁A·BC123 (GA 36 serial formats)."""
    while True:
        u = r()
        digits = "".join(_DIGITS[int(r() * 10)] for _ in range(5))
        if u < 0.6:
            serial = digits
        elif u < 0.9:
            serial = _PLATE_LETTERS[int(r() * 24)] + digits[1:]
        else:
            serial = _PLATE_LETTERS[int(r() * 24)] + _PLATE_LETTERS[int(r() * 24)] + digits[2:]
        plate = prefix + serial
        if plate not in taken:
            taken.add(plate)
            return plate
