"""GB/T 2260 administrative division codes: Shandong in full, other provinces at province level.

Shandong (37xxxx) ships as package data (``data/gb2260_shandong.csv``): every code current or
historical since 1980, with the years it was in use. Old ID numbers keep the code their holder
was registered under, so retired codes stay known; :func:`parse_division` refuses them unless
``historical_ok=True``.

For other provinces only the province-level table ships: ``XX0000`` parses, finer codes are
refused with a message saying so.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources

from certfree.errors import InvalidIdentifier

__all__ = [
    "PROVINCES",
    "SHANDONG",
    "Division",
    "DivisionLevel",
    "counties_of",
    "lookup_shandong",
    "parse_division",
    "province",
    "province_of",
    "shandong_cities",
]

SHANDONG = "37"

# GB/T 2260 province-level codes (the first two digits of every division code).
PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}


class DivisionLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


@dataclass(frozen=True, slots=True)
class Division:
    """One GB/T 2260 division code with the name it carries (the current one if still in use).

    ``is_placeholder`` marks the ``xxxx01`` "市辖区" codes, which stand for a city's districts as a
    whole; they are county-level codes that old ID numbers carry. ``valid_from``/``valid_to`` are
    the first and last years the code was listed (None: listed since before 1980 / still in use).
    ``former_names`` are earlier names under the same code, oldest first.
    """

    code: str
    name: str
    level: DivisionLevel
    parent_code: str | None
    full_name: str
    is_current: bool
    is_placeholder: bool = False
    valid_from: int | None = None
    valid_to: int | None = None
    former_names: tuple[str, ...] = ()


_LEVELS = {
    "province": DivisionLevel.PROVINCE,
    "prefecture": DivisionLevel.PREFECTURE,
    "county": DivisionLevel.COUNTY,
    "placeholder_市辖区": DivisionLevel.COUNTY,
}


def _year(text: str) -> int | None:
    return int(text) if text else None


@functools.cache
def _shandong() -> dict[str, Division]:
    """Loads the shipped CSV once: one Division per code, preferring the current record."""
    raw = resources.files("certfree.identifiers").joinpath("data/gb2260_shandong.csv")
    rows = list(csv.DictReader(io.StringIO(raw.read_text(encoding="utf-8"))))
    by_code: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_code.setdefault(row["code"], []).append(row)
    result: dict[str, Division] = {}
    for code, records in by_code.items():
        row = _pick(records)
        parent = row["prefecture_code"] or None
        chain = [row["name"]]
        if parent is not None and parent != "370000":
            # A renamed parent is listed as "昌潍地区/潍坊地区"; the full name uses its last name.
            chain.insert(0, row["prefecture_name"].split("/")[-1])
        if code != "370000":
            chain.insert(0, PROVINCES[SHANDONG])
        others = [r for r in records if r is not row]
        result[code] = Division(
            code=code,
            name=row["name"],
            level=_LEVELS[row["level"]],
            parent_code=parent,
            full_name="".join(chain),
            is_current=row["status"] == "current",
            is_placeholder=row["level"] == "placeholder_市辖区",
            valid_from=_year(row["valid_from"]),
            valid_to=_year(row["valid_to"]),
            former_names=tuple(r["name"] for r in others if r["name"] != row["name"]),
        )
    return result


def _pick(records: list[dict[str, str]]) -> dict[str, str]:
    """The record a code resolves to: the current one, else the one listed last."""
    current = [r for r in records if r["status"] == "current"]
    if current:
        return current[0]
    return max(records, key=lambda r: int(r["valid_to"] or 0))


def lookup_shandong(code: str) -> Division | None:
    """The Shandong division with this code (current or historical), or None if unknown."""
    return _shandong().get(code)


def province_of(code: str) -> Division:
    """The province-level Division for the first two digits of ``code``.

    Raises InvalidIdentifier when they are not a GB/T 2260 province code.
    """
    prefix = code[:2]
    name = PROVINCES.get(prefix)
    if name is None:
        raise InvalidIdentifier(f"{code}: {prefix} is not a GB/T 2260 province code")
    return Division(
        code=f"{prefix}0000",
        name=name,
        level=DivisionLevel.PROVINCE,
        parent_code=None,
        full_name=name,
        is_current=True,
    )


def _check_shape(code: str) -> str:
    code = code.strip()
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        raise InvalidIdentifier(f"a GB/T 2260 division code is 6 digits, got {code!r}")
    return code


def parse_division(code: str, *, historical_ok: bool = False) -> Division:
    """Parses a GB/T 2260 division code.

    Any province's ``XX0000`` code parses. Below province level only Shandong detail ships: a
    37xxxx code must be in the shipped table, and a retired one (e.g. 371200 莱芜市, merged into
    济南 in 2019) parses only with ``historical_ok=True`` — as inside an old ID number. Other
    provinces' finer codes raise, saying only Shandong detail ships.
    Raises InvalidIdentifier naming the fault.
    """
    code = _check_shape(code)
    prov = province_of(code)
    if code == prov.code and code[:2] != SHANDONG:
        return prov
    if code[:2] != SHANDONG:
        raise InvalidIdentifier(
            f"{code}: only Shandong (37xxxx) ships below province level; "
            f"for {prov.name} only the province code {prov.code} can be checked"
        )
    division = lookup_shandong(code)
    if division is None:
        raise InvalidIdentifier(
            f"{code} is not a Shandong division code in GB/T 2260 (current or historical)"
        )
    if not division.is_current and not historical_ok:
        raise InvalidIdentifier(
            f"{code} {division.name} is a retired division code (last listed in "
            f"{division.valid_to}); it is accepted only where old codes are kept, "
            "such as inside an old ID number (historical_ok=True)"
        )
    return division


def province() -> Division:
    """Shandong province itself (370000 山东省)."""
    return _shandong()["370000"]


def shandong_cities() -> list[Division]:
    """The 16 current prefecture-level cities of Shandong, in code order (370100 … 371700)."""
    return sorted(
        (d for d in _shandong().values() if d.level is DivisionLevel.PREFECTURE and d.is_current),
        key=lambda d: d.code,
    )


def counties_of(city_code: str, *, current_only: bool = True) -> list[Division]:
    """The county-level divisions under a Shandong prefecture-level city, in code order.

    The "市辖区" placeholder code is never included. With ``current_only`` (the default) only codes
    in use today; a retired city such as 371200 then has none. Raises InvalidIdentifier when
    ``city_code`` is not a Shandong prefecture-level code (current or historical).
    """
    city_code = _check_shape(city_code)
    city = lookup_shandong(city_code)
    if city is None or city.level is not DivisionLevel.PREFECTURE:
        raise InvalidIdentifier(f"{city_code} is not a Shandong prefecture-level code")
    return sorted(
        (
            d
            for d in _shandong().values()
            if d.parent_code == city_code
            and d.level is DivisionLevel.COUNTY
            and not d.is_placeholder
            and (d.is_current or not current_only)
        ),
        key=lambda d: d.code,
    )
