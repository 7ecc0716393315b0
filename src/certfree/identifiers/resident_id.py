"""GB 11643-1999 公民身份号码 (citizen identity number), as printed on resident ID cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from certfree.errors import InvalidIdentifier
from certfree.identifiers.checksums import resident_id_check_char
from certfree.identifiers.divisions import (
    Division,
    DivisionLevel,
    lookup_division,
    province_of,
    stands_alone,
)

__all__ = ["ResidentId", "Sex", "make_resident_id", "parse_resident_id"]

_EARLIEST_BIRTH_YEAR = 1800

# 《港澳台居民居住证申领发放办法》(国办发〔2018〕81号): the residence permits of Hong Kong, Macao
# and Taiwan residents carry a 公民身份号码 whose address code is 810000, 820000 or 830000. The
# first two are GB/T 2260's own province-level codes; 830000 stands for 710000 台湾省.
RESIDENCE_PERMIT_CODES = {"810000": "810000", "820000": "820000", "830000": "710000"}

# Years a division code can still be found in new numbers after the year it was retired: the
# yearly GB/T 2260 lists are dated to the year and can run ahead of the legal change (莱芜市 was
# merged into 济南市 in January 2019, the lists drop it from 2018), and registration offices
# move to a new code some months after a change.
RETIRED_CODE_GRACE_YEARS = 1


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A valid 18-character resident ID number and what it encodes.

    ``address_code`` is the GB/T 2260 county code at registration (it may be retired since);
    ``sequence`` the 3-digit order code (GB 11643 §5.3: odd for men, even for women).
    """

    number: str
    address_code: str
    birth_date: date
    sequence: int
    check_char: str

    @property
    def sex(self) -> Sex:
        return Sex.MALE if self.sequence % 2 else Sex.FEMALE

    @property
    def address(self) -> Division:
        """The GB/T 2260 division of the address code (for a residence permit, the region)."""
        code = RESIDENCE_PERMIT_CODES.get(self.address_code, self.address_code)
        division = lookup_division(code)
        return division if division is not None else province_of(code)

    def age_on(self, day: date) -> int:
        """Completed years of age on ``day`` (someone born on 29 February turns a year older on
        1 March in common years). Raises InvalidIdentifier if ``day`` is before the birth date.
        """
        if day < self.birth_date:
            raise InvalidIdentifier(f"{day.isoformat()} is before the birth date", field="day")
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)

    def __str__(self) -> str:
        return self.number


def parse_resident_id(s: str, *, today: date | None = None) -> ResidentId:
    """Parses and validates a GB 11643-1999 resident ID number.

    Surrounding spaces are stripped and a lower-case 'x' is read as 'X'. Checked in this order,
    the first fault raising InvalidIdentifier with a message naming it: 18 characters; 17 digits
    then a digit or 'X'; the ISO 7064 MOD 11-2 check character; the birth date (a real calendar
    date, not after ``today`` — default the system date — and not before 1800); the address code.
    A Shandong address code must be a county-level (or 市辖区) code in the shipped GB/T 2260 data,
    current or retired — an ID keeps the code of registration, even one assigned after the birth
    year. For other provinces only the first two digits are checked against the province table.
    """
    number = s.strip().upper()
    if len(number) != 18:
        raise InvalidIdentifier(f"a resident ID has 18 characters, got {len(number)}")
    for position, ch in enumerate(number[:17], start=1):
        if not ("0" <= ch <= "9"):
            raise InvalidIdentifier(
                f"character {ch!r} at position {position} is not a digit "
                "(positions 1-17 of a resident ID are digits)"
            )
    given = number[17]
    if not ("0" <= given <= "9" or given == "X"):
        raise InvalidIdentifier(f"check character must be a digit or 'X', got {given!r}")
    # GB 11643 §7: ISO 7064 MOD 11-2 over the 17 leading digits.
    expected = resident_id_check_char(number[:17])
    if given != expected:
        raise InvalidIdentifier(f"check character should be {expected!r}, got {given!r}")
    birth = _birth_date(number[6:14], today or date.today())
    _check_address(number[:6], birth)
    return ResidentId(
        number=number,
        address_code=number[:6],
        birth_date=birth,
        sequence=int(number[14:17]),
        check_char=given,
    )


def _birth_date(text: str, today: date) -> date:
    # GB 11643 §5.2: birth date YYYYMMDD per GB/T 7408.
    try:
        birth = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise InvalidIdentifier(f"birth date {text} is not a real calendar date") from None
    if birth > today:
        raise InvalidIdentifier(
            f"birth date {text} is in the future (today is {today.isoformat()})"
        )
    if birth.year < _EARLIEST_BIRTH_YEAR:
        raise InvalidIdentifier(f"birth date {text} is before {_EARLIEST_BIRTH_YEAR}")
    return birth


def _check_address(code: str, birth: date) -> None:
    """GB 11643 §5.1: the address code is the GB/T 2260 code of the county where the number was
    assigned, i.e. where its holder was first registered; it never changes afterwards.

    So the code must be in the GB/T 2260 table, current or retired, at county level — or a
    prefecture-level city with no county-level divisions (东莞市 441900), or a residence-permit
    code (810000, 820000, 830000). And it must have been in use in some year no earlier than
    the birth year: the number is assigned at registration, which is at or after birth, so a
    code retired before the birth year can never have been given (allowing
    :data:`RETIRED_CODE_GRACE_YEARS` for the precision of the lists). A code that came into use
    after the birth year is fine: numbers were first given out in 1984-1985 to everyone then
    living, under the codes of that time, and late registrations still happen; the holder then
    carries a code younger than themselves.
    """
    if code in RESIDENCE_PERMIT_CODES:
        return
    try:
        prov = province_of(code)
    except InvalidIdentifier:
        raise InvalidIdentifier(
            f"address code {code} does not start with a GB/T 2260 province code "
            f"({code[:2]} is not a province)"
        ) from None
    division = lookup_division(code)
    if division is None:
        raise InvalidIdentifier(
            f"address code {code} is not a division code of {prov.name} in GB/T 2260 "
            "(current or historical)"
        )
    if division.level is not DivisionLevel.COUNTY and not stands_alone(division):
        name = division.full_name if division.is_placeholder else division.name
        raise InvalidIdentifier(
            f"address code {code} is the {division.level.value}-level code of {name}; "
            "a resident ID carries the county-level code of registration"
        )
    retired = division.valid_to
    if retired is not None and retired + RETIRED_CODE_GRACE_YEARS < birth.year:
        raise InvalidIdentifier(
            f"address code {code} {division.name} was retired in {retired}, before the birth "
            f"year {birth.year}; a number is assigned at or after birth, under a code then in use"
        )


def make_resident_id(address_code: str, birth: date, sequence: int) -> str:
    """Builds an 18-character resident ID with its check character.

    Cheap enough for bulk generation: it checks the shapes (6-digit address code, sequence
    0-999, birth year 1800-9999) but does not look the address code up in GB/T 2260 — parsing
    does. Raises InvalidIdentifier for a bad shape.
    """
    if len(address_code) != 6 or not (address_code.isascii() and address_code.isdigit()):
        raise InvalidIdentifier(f"address code must be 6 digits, got {address_code!r}")
    if not 0 <= sequence <= 999:
        raise InvalidIdentifier(f"sequence must be 0-999, got {sequence}")
    if birth.year < _EARLIEST_BIRTH_YEAR:
        raise InvalidIdentifier(f"birth year must be {_EARLIEST_BIRTH_YEAR} or later")
    first17 = f"{address_code}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return first17 + resident_id_check_char(first17)
