"""Synthetic market entities (市场监管) and tax standing (税务) of firms and people.

Firm names are fictional combinations of auspicious characters and a trade, unique in the
province; USCCs are valid GB 32100 codes (registration authority 9 工商, entity type 1 企业,
2 个体工商户 or 3 农民专业合作社) whose organisation-code bodies are distinct by construction.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from certfree.demo.census import YEAR, DateTable, Geography
from certfree.demo.people import People
from certfree.errors import InvalidInput
from certfree.identifiers import make_uscc
from certfree.population import EntityType, FirmStatus, TaxpayerKind

__all__ = ["FIRM_COLUMNS", "TAX_COLUMNS", "make_firms", "make_tax", "org_body_map"]

FIRM_COLUMNS = (
    "uscc",
    "name",
    "entity_type",
    "division_code",
    "legal_rep_id",
    "registered_on",
    "status",
)
TAX_COLUMNS = ("taxpayer_id", "taxpayer_kind", "tax_clear", "arrears_fen", "assessed_on")

Row = tuple[object, ...]

_WORDS = "瑞丰华信恒泰鑫源宏达永盛金诚嘉禾利通安顺兴隆泉润新元正大德昌明远汇聚腾飞海"
_TRADES = (
    "机械", "商贸", "科技", "食品", "建材", "物流", "化工", "纺织", "电子", "农业", "医药",
    "餐饮管理", "建筑工程", "信息技术", "环保", "文化传媒", "家居", "汽车服务",
)  # fmt: skip
_SHOPS = (
    "面馆", "水果店", "理发店", "便利店", "五金店", "早餐店", "修车铺", "烧烤店", "服装店",
    "家电维修部", "超市", "粮油店",
)  # fmt: skip
_CROPS = ("蔬菜", "果品", "小麦", "花生", "苹果", "大蒜", "樱桃", "茶叶", "生姜", "金银花")
_TYPES = (
    (0.55, EntityType.ENTERPRISE, "1"),
    (0.95, EntityType.INDIVIDUAL, "2"),
    (1.00, EntityType.COOPERATIVE, "3"),
)
_BODY_SPACE = 10**8


def make_firms(
    rng: random.Random,
    people: People,
    geo: Geography,
    dates: DateTable,
    *,
    today: int,
    serials: range,
    body_map: tuple[int, int],
) -> list[Row]:
    """One firm per number in ``serials`` (province-wide firm numbers), each with a living
    legal representative aged 20 to 70 today, registered after that person turned 18, mostly
    in the representative's county. ``body_map`` comes from :func:`org_body_map`.
    """
    r, p = rng.random, people
    step, offset = body_map
    names: set[str] = set()
    rows: list[Row] = []
    population = len(p.ids)
    for serial in serials:
        rep = _representative(r, p, today, population)
        u = r()
        entity_type, type_code = next((t, c) for share, t, c in _TYPES if u < share)
        county = p.county[rep] if r() < 0.85 else geo.pick(r())
        place = geo.counties[county]
        body = f"{(step * serial + offset) % _BODY_SPACE:08d}"
        uscc = make_uscc("9", type_code, place.code, body)
        name = _unique_name(
            r,
            names,
            entity_type,
            city=place.city_name,
            county=place.name,
            surname=str(p.persons[rep][1])[0],
        )
        start = dates.add_years(p.birth[rep], 18)
        registered = start + int(r() * (today - start + 1))
        v = r()
        status = (
            FirmStatus.ACTIVE
            if v < 0.88
            else FirmStatus.REVOKED
            if v < 0.92
            else FirmStatus.DEREGISTERED
        )
        rows.append(
            (
                uscc,
                name,
                entity_type.value,
                place.code,
                p.ids[rep],
                dates.iso[registered - dates.first],
                status.value,
            )
        )
    return rows


def org_body_map(seed: int) -> tuple[int, int]:
    """``(a, b)`` such that firm number i gets organisation-code body (a·i + b) mod 10^8.

    An affine map is a bijection on 0 … 10^8-1 when gcd(a, 10^8) = 1, so the bodies (and so
    the USCCs) never repeat across the province, yet look scattered.
    """
    rng = random.Random(f"{seed}:org-codes")  # noqa: S311 - reproducible synthetic data
    step = rng.randrange(1, _BODY_SPACE) | 1
    if step % 5 == 0:
        step += 2
    return step, rng.randrange(_BODY_SPACE)


def make_tax(
    rng: random.Random, people: People, firms: list[Row], dates: DateTable, *, today: int
) -> list[Row]:
    """Tax standing of every firm (most clear; revoked firms often in arrears) and of about
    3 % of living adults; arrears range from 100 to about 5 million yuan, in fen.
    """
    r = rng.random
    rows: list[Row] = []
    firm_kind, person_kind = TaxpayerKind.FIRM.value, TaxpayerKind.PERSON.value

    def standing(taxpayer_id: str, kind: str, arrears_share: float) -> Row:
        owes = r() < arrears_share
        arrears = int(10_000 * 10 ** (r() * 4.7)) if owes else 0
        assessed = today - int(r() * 90)
        return (taxpayer_id, kind, not owes, arrears, dates.iso[assessed - dates.first])

    for firm in firms:
        status = firm[6]
        share = 0.4 if status == FirmStatus.REVOKED else 0.06
        rows.append(standing(str(firm[0]), firm_kind, share))
    p = people
    for i, id_number in enumerate(p.ids):
        if r() < 0.03 and p.alive[i] and today - p.birth[i] >= 18 * YEAR:
            rows.append(standing(id_number, person_kind, 0.04))
    return rows


def _representative(r: Callable[[], float], p: People, today: int, population: int) -> int:
    for _ in range(1000):
        i = int(r() * population)
        age = today - p.birth[i]
        if p.alive[i] and 20 * YEAR <= age < 70 * YEAR:
            return i
    raise InvalidInput(
        "演示人口太少，找不到 20 至 70 岁的企业法定代表人；请增加居民数或减少企业数",
        field="firms",
    )


def _unique_name(
    r: Callable[[], float],
    taken: set[str],
    entity_type: EntityType,
    *,
    city: str,
    county: str,
    surname: str,
) -> str:
    def pick(options: tuple[str, ...] | str) -> str:
        return options[int(r() * len(options))]

    for attempt in range(12):
        words = pick(_WORDS) + pick(_WORDS)
        where = city.removesuffix("市") if attempt < 4 else city.removesuffix("市") + county
        if entity_type is EntityType.ENTERPRISE:
            name = f"{where}{words}{pick(_TRADES)}有限公司"
        elif entity_type is EntityType.INDIVIDUAL:
            shop = pick(_SHOPS)
            name = f"{county}{surname}记{shop}" if attempt < 2 else f"{county}{words}{shop}"
        else:
            name = f"{county}{words}{pick(_CROPS)}种植专业合作社"
        if name not in taken:
            taken.add(name)
            return name
    # Practically unreachable; a serial keeps the name unique whatever the size.
    name = f"{name.removesuffix('有限公司')}{len(taken)}号" + (
        "有限公司" if entity_type is EntityType.ENTERPRISE else ""
    )
    taken.add(name)
    return name
