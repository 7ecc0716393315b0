"""Synthetic residents, households and marriages (the 公安 and 民政 holdings).

Households are drawn one at a time: a county (weighted by city population), then a couple with
their children or a single adult. Everything another department later needs about a person is
kept in parallel lists on :class:`People`, indexed like ``People.persons``.

Invariants the tests check:

* ID numbers are valid GB 11643 numbers on real current county codes; the sequence code is
  unique per county and birth date, odd for men and even for women (GB 11643 §5.3);
* a marriage joins a man and a woman, both of legal age on the day it was registered
  (婚姻法 / 民法典 art. 1047: men 22, women 20); a married couple shares a household, and on
  divorce the spouse who is not the head moves to a household of their own;
* children are born after their parents' marriage, to a mother aged 45 or younger, and live
  with the household head;
* every household has members and its head is one of them.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import NamedTuple

from certfree.demo.census import AGE_BANDS, YEAR, DateTable, Geography
from certfree.demo.names import NameMaker
from certfree.identifiers import resident_id_check_char
from certfree.population import MarriageStatus, Sex

__all__ = ["HOUSEHOLD_COLUMNS", "MARRIAGE_COLUMNS", "PERSON_COLUMNS", "People", "make_people"]

HOUSEHOLD_COLUMNS = ("household_no", "division_code", "address", "head_id_number")
PERSON_COLUMNS = (
    "id_number",
    "name",
    "sex",
    "birth_date",
    "address_code",
    "household_no",
    "ethnic_group",
    "deceased",
)
MARRIAGE_COLUMNS = (
    "registration_no",
    "party_a_id",
    "party_b_id",
    "registered_on",
    "division_code",
    "status",
    "divorced_on",
)

MALE_MARRIAGE_AGE = 22  # 民法典 art. 1047
FEMALE_MARRIAGE_AGE = 20
OLDEST = 100
_MALE = Sex.MALE.value
_FEMALE = Sex.FEMALE.value
_REPORT_EVERY = 20_000
_MARRIED, _DIVORCED = MarriageStatus.MARRIED.value, MarriageStatus.DIVORCED.value
_SEQ = [f"{i:03d}" for i in range(1000)]
# Children per couple: 0, 1, 2, 3 (cumulative shares).
_CHILDREN = (0.12, 0.52, 0.93, 1.0)
_ROADS = (
    "解放路", "建设路", "人民路", "和平路", "幸福街", "文化路", "新华路", "胜利街", "朝阳路",
    "长春路", "东风路", "青年路", "黄河路", "泰山路", "花园路", "工业路", "北园大街", "滨河路",
)  # fmt: skip
_PLACE_CHARS = "东西南北前后大小王张李刘家庄河山泉店集营屯岭桥湖"


class _Home(NamedTuple):
    county: int
    household_no: str
    ethnic: str


@dataclass(slots=True)
class People:
    """Generated rows plus per-person facts for the later departments' data."""

    households: list[tuple[object, ...]] = field(default_factory=list)
    persons: list[tuple[object, ...]] = field(default_factory=list)
    marriages: list[tuple[object, ...]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    birth: list[int] = field(default_factory=list)  # proleptic Gregorian ordinal
    male: list[bool] = field(default_factory=list)
    county: list[int] = field(default_factory=list)  # index into Geography.counties
    alive: list[bool] = field(default_factory=list)
    spouse: list[int] = field(default_factory=list)  # current spouse's index, or -1
    heads: list[int] = field(default_factory=list)  # head person of each household


def make_people(
    rng: random.Random,
    geo: Geography,
    dates: DateTable,
    *,
    citizens: int,
    today: int,
    progress: Callable[[int], None] | None = None,
) -> People:
    """Exactly ``citizens`` people in households, as of day ``today`` (an ordinal).

    ``dates`` must cover the ``OLDEST`` years before ``today``; ``progress(done)`` is called
    every few thousand people.
    """
    gen = _Generator(rng, geo, dates, today)
    ids = gen.people.ids
    next_report = _REPORT_EVERY
    while len(ids) < citizens:
        gen.household(citizens - len(ids))
        if progress and len(ids) >= next_report:
            progress(len(ids))
            next_report += _REPORT_EVERY
    if progress:
        progress(len(ids))
    return gen.people


class _Generator:
    def __init__(self, rng: random.Random, geo: Geography, dates: DateTable, today: int) -> None:
        self.rng = rng
        self.r = rng.random
        self.geo = geo
        self.dates = dates
        self.today = today
        self.names = NameMaker(rng)
        self.people = p = People()
        # Bound methods and lists cached for person(), which runs once per citizen.
        self.first_day = dates.first
        self.compact, self.iso = dates.compact, dates.iso
        self.codes = [county.code for county in geo.counties]
        self.surname, self.given = self.names.surname, self.names.given
        self.add_person, self.ids, self.births = p.persons.append, p.ids, p.birth
        self.males, self.counties, self.alive, self.spouses = p.male, p.county, p.alive, p.spouse
        self.sequences: dict[int, int] = {}
        self.household_serial = 0
        self.marriage_serials: dict[int, int] = {}
        adult_bands = AGE_BANDS[4:]  # heads are 20 or older
        self.head_bands = list(accumulate(adult_bands))

    def head_age_days(self) -> int:
        r = self.r
        band = bisect(self.head_bands, r() * self.head_bands[-1])
        return int(min(20 + 5 * band + 5 * r(), OLDEST - 0.5) * YEAR)

    def household(self, room: int) -> None:
        r = self.r
        county = self.geo.pick(r())
        ethnic = "01" if r() < 0.992 else ("03" if r() < 0.7 else "11")
        age = self.head_age_days()
        years = age / YEAR
        married_share = 0.35 if years < 26 else 0.75 if years < 31 else 0.9 if years < 70 else 0.7
        if room >= 2 and r() < married_share and self.couple(county, ethnic, age, room):
            return
        male = r() < 0.5
        household_no = self.new_household_no(county)
        home = _Home(county, household_no, ethnic)
        person = self.person(home, self.today - age, male)
        if years >= 80 and r() < 0.03:
            self.mark_deceased(person)
        self.add_household(household_no, county, person)

    def couple(self, county: int, ethnic: str, age: int, room: int) -> bool:
        r, p, today, dates = self.r, self.people, self.today, self.dates
        husband_birth = today - age
        wife_birth = husband_birth + int(self.rng.gauss(2.0, 2.5) * YEAR)
        wife_birth = max(wife_birth, today - int((OLDEST - 0.5) * YEAR))
        earliest = max(
            dates.add_years(husband_birth, MALE_MARRIAGE_AGE),
            dates.add_years(wife_birth, FEMALE_MARRIAGE_AGE),
        )
        if wife_birth >= today or earliest > today:
            return False
        registered = earliest + int(self.rng.expovariate(1 / 1100))
        if registered > today:
            registered = earliest + int(r() * (today - earliest + 1))
        divorced = 0
        if today - registered > 400 and r() < 0.09:
            divorced = registered + 365 + int(r() * (today - registered - 365))
        household_no = self.new_household_no(county)
        home = _Home(county, household_no, ethnic)
        husband = self.person(home, husband_birth, male=True)
        wife = self.person(home, wife_birth, male=False)
        head, other = (husband, wife) if r() < 0.8 else (wife, husband)
        self.add_household(household_no, county, head)
        self.add_marriage(county, husband, wife, registered, divorced)
        if divorced:
            moved = self.new_household_no(county)
            p.persons[other] = (*p.persons[other][:5], moved, *p.persons[other][6:])
            self.add_household(moved, county, other)
        else:
            p.spouse[husband], p.spouse[wife] = wife, husband
        self.children(home, husband, wife, registered=registered, divorced=divorced, room=room)
        return True

    def children(
        self, home: _Home, father: int, mother: int, *, registered: int, divorced: int, room: int
    ) -> None:
        r, p = self.r, self.people
        last = min(self.today, self.dates.add_years(p.birth[mother], 45), divorced or self.today)
        count = bisect(_CHILDREN, r())
        # Surnames are one character (names.py), so a name's first character is the surname.
        surname = str(p.persons[father if r() < 0.9 else mother][1])[0]
        for _ in range(min(count, room - 2)):
            birth = registered + 280 + int(r() * 12 * 365)
            if birth > last:
                continue
            if self.today - birth > 22 * YEAR and r() < 0.7:
                continue  # grown up and moved out: they belong to another household
            male = r() < 0.51
            self.person(home, birth, male, surname)

    def person(self, home: _Home, birth: int, male: bool, surname: str = "") -> int:
        # The hot path of the whole build (once per citizen): locals only, no date objects.
        county, sequences = home.county, self.sequences
        i = birth - self.first_day
        while True:
            # GB 11643 §5.3: order codes count up per county and birth date, odd for men.
            key = (county * 1_000_000 + i) * 2 + male
            count = sequences.get(key, 0)
            sequence = 2 * count + (1 if male else 2)
            if sequence <= 999:
                break
            i -= 1  # that day is full in this county: born a day earlier
        sequences[key] = count + 1
        code = self.codes[county]
        first17 = code + self.compact[i] + _SEQ[sequence]
        id_number = first17 + resident_id_check_char(first17)
        name = (surname or self.surname()) + self.given(male)
        index = len(self.ids)
        self.add_person(
            (
                id_number,
                name,
                _MALE if male else _FEMALE,
                self.iso[i],
                code,
                home.household_no,
                home.ethnic,
                False,
            )
        )
        self.ids.append(id_number)
        self.births.append(i + self.first_day)
        self.males.append(male)
        self.counties.append(county)
        self.alive.append(True)
        self.spouses.append(-1)
        return index

    def mark_deceased(self, person: int) -> None:
        p = self.people
        p.alive[person] = False
        p.persons[person] = (*p.persons[person][:7], True)

    def new_household_no(self, county: int) -> str:
        # 户号: county code plus a serial unique in the province.
        self.household_serial += 1
        return f"{self.codes[county]}{self.household_serial:08d}"

    def add_household(self, household_no: str, county: int, head: int) -> None:
        r = self.r
        place = self.geo.counties[county]
        if r() < 0.65:
            road = _ROADS[int(r() * len(_ROADS))]
            building, unit, room = 1 + int(r() * 30), 1 + int(r() * 4), 101 + int(r() * 18) * 100
            street = f"{road}{1 + int(r() * 300)}号{building}号楼{unit}单元{room + int(r() * 4)}"
        else:
            c, n = _PLACE_CHARS, len(_PLACE_CHARS)
            town = c[int(r() * n)] + c[int(r() * n)]
            village = c[int(r() * n)] + c[int(r() * n)]
            street = f"{town}镇{village}村{1 + int(r() * 200)}号"
        address = f"{place.city_name}{place.name}{street}"
        self.people.households.append((household_no, place.code, address, self.ids[head]))
        self.people.heads.append(head)

    def add_marriage(
        self, county: int, husband: int, wife: int, registered: int, divorced: int
    ) -> None:
        p, dates = self.people, self.dates
        year = dates.year[registered - dates.first]
        key = county * 10_000 + year
        serial = self.marriage_serials.get(key, 0) + 1
        self.marriage_serials[key] = serial
        code = self.geo.counties[county].code
        # Certificate number as printed on 结婚证: J<division>-<year>-<serial>.
        p.marriages.append(
            (
                f"J{code}-{year}-{serial:06d}",
                p.ids[husband],
                p.ids[wife],
                dates.iso[registered - dates.first],
                code,
                _DIVORCED if divorced else _MARRIED,
                dates.iso[divorced - dates.first] if divorced else None,
            )
        )
