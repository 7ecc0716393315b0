"""``build_demo_province``: the 1+16+N nodes and a consistent synthetic population.

The province is generated city by city (:mod:`certfree.demo.city`); large builds run the
cities in a pool of worker processes while this process writes the finished ones, so
generation and writing overlap on all cores. One transaction covers the whole build: a failed
build leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, delete, exists, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from certfree.demo.bulk import bulk_connection, encoding_for, write
from certfree.demo.census import CITY_POPULATION_10K, apportion
from certfree.demo.city import CityPlan, CityRows, gc_paused, generate_city
from certfree.demo.firms import org_body_map
from certfree.errors import ConfigurationError, Conflict, InvalidInput
from certfree.identifiers import make_uscc, province, shandong_cities
from certfree.nodes import DepartmentKind, Node, department_name, node_code
from certfree.population import TABLES, Person
from certfree.settings import NodeLevel
from certfree.storage import Database

__all__ = [
    "MIN_CITIZENS",
    "DemoExists",
    "DemoSummary",
    "ProgressCallback",
    "build_demo_province",
    "demo_nodes",
    "register_demo_nodes",
]

# progress(stage, done, total); stages are the STAGE_* labels below.
ProgressCallback = Callable[[str, int, int], None]
STAGE_GENERATE = "生成居民与各部门数据"
STAGE_WRITE = "写入数据库"
STAGE_INDEX = "重建索引并提交"
MIN_CITIZENS = 1000
# Below this many citizens, starting worker processes costs more than it saves.
_POOL_THRESHOLD = 100_000


class DemoExists(Conflict):
    """Demo data is already in the database and the build was not asked to reset it."""

    slug = "demo-exists"
    title = "Demo province already built"
    title_zh = "演示省已建成"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What a build wrote: rows per table (``nodes`` first), its inputs and its duration."""

    counts: dict[str, int]
    seed: int
    as_of: dt.date
    elapsed_seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


def build_demo_province(
    db: Database,
    *,
    citizens: int,
    firms: int,
    seed: int,
    progress: ProgressCallback | None = None,
    reset: bool = False,
    as_of: dt.date | None = None,
    workers: int | None = None,
) -> DemoSummary:
    """Build the demo province into ``db`` (whose schema must be migrated) and summarise it.

    Rows are a function of ``(citizens, firms, seed, as_of)`` alone — ``as_of`` defaults to
    today; node ``created_at`` stamps aside — whatever ``workers`` is (the number of generator
    processes; default: one per CPU for 100,000 citizens or more, else none). ``progress`` is
    told how far each stage got, in citizens (generate, write) or steps (index).

    Raises InvalidInput for sizes out of range (at least 1,000 citizens; at most one firm per
    two citizens), DemoExists (a Conflict) when demo data is present and ``reset`` is false,
    ConfigurationError when the tables do not exist.
    """
    if citizens < MIN_CITIZENS:
        raise InvalidInput(
            f"演示省至少需要 {MIN_CITIZENS} 名居民，收到 {citizens}", field="citizens"
        )
    if not 0 <= firms <= citizens // 2:
        raise InvalidInput(
            f"企业数应在 0 到居民数的一半（{citizens // 2}）之间，收到 {firms}", field="firms"
        )
    started = time.perf_counter()
    today = as_of or dt.date.today()
    if not reset:
        _refuse_existing(db)
    report = progress or _silent
    plans = _plans(db, citizens, firms, seed, today.toordinal())
    if workers is None:
        workers = (os.cpu_count() or 1) if citizens >= _POOL_THRESHOLD else 0
    counts = {"nodes": 0} | {model.__tablename__: 0 for model in TABLES}
    tables = [model.__tablename__ for model in TABLES]
    with gc_paused(), bulk_connection(db, tables) as connection:
        nodes = demo_nodes()
        _prepare(connection, nodes, reset=reset)
        counts["nodes"] = len(nodes)
        generated = written = 0
        report(STAGE_GENERATE, 0, citizens)
        report(STAGE_WRITE, 0, citizens)
        with _generated(plans, workers) as cities:
            for city in cities:
                generated += city.citizens
                report(STAGE_GENERATE, generated, citizens)
                for table in city.tables:
                    for chunk in table.chunks:
                        write(connection, table.table, table.columns, chunk)
                    counts[table.table] += table.count
                written += city.citizens
                report(STAGE_WRITE, written, citizens)
        report(STAGE_INDEX, 0, 1)
    report(STAGE_INDEX, 1, 1)
    return DemoSummary(counts, seed, today, time.perf_counter() - started)


def _plans(db: Database, citizens: int, firms: int, seed: int, today: int) -> list[CityPlan]:
    cities = [city.code for city in shandong_cities()]
    weights = [CITY_POPULATION_10K[code] for code in cities]
    people, companies = apportion(citizens, weights), apportion(firms, weights)
    encoding = encoding_for(db.engine.dialect)
    body_map = org_body_map(seed)
    plans = []
    first_firm = 0
    for code, city_people, city_firms in zip(cities, people, companies, strict=True):
        serials = range(first_firm, first_firm + city_firms)
        first_firm += city_firms
        plans.append(CityPlan(code, city_people, serials, seed, today, encoding, body_map))
    return plans


@contextmanager
def _generated(plans: list[CityPlan], workers: int) -> Iterator[Iterable[CityRows]]:
    """The generated cities, in plan order; in ``workers`` processes if more than one."""
    if workers <= 1:
        yield (generate_city(plan) for plan in plans)
        return
    # Spawned, not forked: the caller may run threads (a progress display), and forking a
    # threaded process can deadlock. The smallest city goes first so that writing starts
    # early, then the biggest first to balance the workers.
    by_size = sorted(plans, key=lambda plan: (-plan.citizens, plan.city_code))
    order = by_size[-1:] + by_size[:-1]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(generate_city, plan) for plan in order]
        try:
            yield (future.result() for future in futures)
        finally:
            for future in futures:
                future.cancel()


def demo_nodes() -> list[dict[str, object]]:
    """The province node, its 16 city nodes and 9 department nodes for each, parents first.

    Each node's organ gets a synthetic but valid USCC: authority 1 (机构编制), type 1 (机关),
    its division code, and an organisation-code body made of the division and the department's
    position — unique across the province.
    """
    root = province()
    regions: list[tuple[str, str, NodeLevel, str | None]] = [
        (root.code, root.name, NodeLevel.PROVINCE, None)
    ]
    regions += [(c.code, c.name, NodeLevel.CITY, root.code) for c in shandong_cities()]
    nodes: list[dict[str, object]] = []
    departments: list[dict[str, object]] = []
    for division, region_name, level, parent in regions:
        provincial = level is NodeLevel.PROVINCE
        nodes.append(_node(division, f"{region_name}大数据局", level, parent=parent))
        for kind in DepartmentKind:
            name = department_name(kind, region_name, provincial=provincial)
            departments.append(
                _node(division, name, NodeLevel.DEPARTMENT, parent=division, kind=kind)
            )
    return nodes + departments


def register_demo_nodes(session: Session) -> int:
    """Register the demo province's nodes (:func:`demo_nodes`) that the registry lacks, so
    that a node without a demo population can issue and route as the demo's organs; the
    number registered. ``build_demo_province`` registers them all along with its people."""
    known = set(session.scalars(select(Node.code)))
    missing = [row for row in demo_nodes() if row["code"] not in known]
    if missing:
        session.execute(insert(Node), missing)
    return len(missing)


_KIND_POSITION = {kind: position for position, kind in enumerate(DepartmentKind, start=1)}


def _node(
    division: str,
    name: str,
    level: NodeLevel,
    *,
    parent: str | None,
    kind: DepartmentKind | None = None,
) -> dict[str, object]:
    body = f"{division[2:6]}{_KIND_POSITION[kind] if kind else 0:04d}"
    return {
        "code": node_code(division, kind),
        "name": name,
        "level": level,
        "parent_code": parent,
        "division_code": division,
        "department": kind,
        "uscc": make_uscc("1", "1", division, body),
        "endpoint_url": None,
    }


def _prepare(connection: Connection, nodes: list[dict[str, object]], *, reset: bool) -> None:
    if reset:
        for model in reversed(TABLES):
            connection.execute(delete(model))
        # Children before parents: PostgreSQL checks RESTRICT row by row.
        for level in (NodeLevel.DEPARTMENT, NodeLevel.CITY, NodeLevel.PROVINCE):
            connection.execute(delete(Node).where(Node.level == level))
    connection.execute(insert(Node), nodes)


def _refuse_existing(db: Database) -> None:
    try:
        with db.engine.connect() as connection:
            found = connection.scalar(
                select(exists(select(Node.code)) | exists(select(Person.id_number)))
            )
    except DBAPIError as exc:
        raise ConfigurationError(
            f"数据库 {db.engine.url.render_as_string(hide_password=True)} 缺少演示省的数据表"
            f"（{exc.orig.__class__.__name__}）；请先运行 certfree db upgrade"
        ) from exc
    if found:
        raise DemoExists("演示省已经存在（节点或居民数据已在库中）。如需清空后重建，请加 --reset")


def _silent(stage: str, done: int, total: int) -> None:
    del stage, done, total
