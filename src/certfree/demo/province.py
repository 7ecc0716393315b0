"""``build_demo_province``: the 1+16+N nodes and a consistent synthetic population.

Order of work: check that no demo exists (or clear it when ``reset``), then generate the
people, households and marriages; while they are written in a background transaction the
other departments' rows are generated from them. One transaction covers the whole build, so a
failed build leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Connection, delete, exists, insert, select
from sqlalchemy.exc import DBAPIError

from certfree.demo.bulk import BackgroundWriter, ProgressCallback, Row, insert_rows
from certfree.demo.census import DateTable, Geography
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
from certfree.errors import ConfigurationError, Conflict, InvalidInput
from certfree.identifiers import make_uscc, province, shandong_cities
from certfree.nodes import DepartmentKind, Node, department_name, node_code
from certfree.population import TABLES, Person
from certfree.settings import NodeLevel
from certfree.storage import Database

__all__ = ["DemoExists", "DemoSummary", "build_demo_province", "demo_nodes"]

STAGE_PEOPLE = "生成居民、户籍和婚姻"
STAGE_HOLDINGS = "生成各部门数据"


class DemoExists(Conflict):
    slug = "demo-exists"
    title = "Demo province already built"


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
) -> DemoSummary:
    """Build the demo province into ``db`` (whose schema must be migrated) and summarise it.

    Rows are a function of ``(citizens, firms, seed, as_of)`` alone (``as_of`` defaults to
    today; node ``created_at`` stamps aside). ``progress(stage, done, total)`` is told how far
    each stage got; it may be called from a worker thread.

    Raises InvalidInput for sizes out of range, DemoExists (a Conflict) when demo data is
    present and ``reset`` is false, ConfigurationError when the tables do not exist.
    """
    if citizens < 100:
        raise InvalidInput(f"演示省至少需要 100 名居民，收到 {citizens}", field="citizens")
    if not 0 <= firms <= citizens:
        raise InvalidInput(f"企业数应在 0 到居民数 {citizens} 之间，收到 {firms}", field="firms")
    started = time.perf_counter()
    today = as_of or dt.date.today()
    if not reset:
        _refuse_existing(db)
    report = progress or _silent
    with _gc_paused():
        writer = BackgroundWriter(db)
        try:
            counts = _build(
                writer,
                report,
                citizens=citizens,
                firms=firms,
                seed=seed,
                today=today.toordinal(),
                reset=reset,
            )
        except BaseException:
            writer.abort()
            raise
        writer.finish()
    return DemoSummary(counts, seed, today, time.perf_counter() - started)


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


_KIND_POSITION = {kind: position for position, kind in enumerate(DepartmentKind, start=1)}


def _node(
    division: str,
    name: str,
    level: NodeLevel,
    *,
    parent: str | None,
    kind: DepartmentKind | None = None,
) -> dict[str, object]:
    body = f"{division[2:6]}{_KIND_POSITION.get(kind, 0) if kind else 0:04d}"
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


def _stage(report: ProgressCallback, stage: str, total: int) -> Callable[[int], None]:
    def progress(done: int) -> None:
        report(stage, done, total)

    return progress


def _build(
    writer: BackgroundWriter,
    report: ProgressCallback,
    *,
    citizens: int,
    firms: int,
    seed: int,
    today: int,
    reset: bool,
) -> dict[str, int]:
    nodes = demo_nodes()
    writer.submit(partial(_prepare, nodes=nodes, reset=reset))
    counts = {"nodes": len(nodes)}

    def write(table: str, columns: tuple[str, ...], rows: list[Row]) -> None:
        counts[table] = len(rows)
        stage = f"写入 {table}"
        report(stage, 0, len(rows))
        writer.submit(
            partial(
                insert_rows,
                table=table,
                columns=columns,
                rows=rows,
                progress=_stage(report, stage, len(rows)),
            )
        )

    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by design
    geo = Geography()
    dates = DateTable(today - int((OLDEST + 1) * 366), today)
    people = make_people(
        rng,
        geo,
        dates,
        citizens=citizens,
        today=today,
        progress=_stage(report, STAGE_PEOPLE, citizens),
    )
    write("households", HOUSEHOLD_COLUMNS, people.households)
    write("persons", PERSON_COLUMNS, people.persons)
    write("marriages", MARRIAGE_COLUMNS, people.marriages)
    steps = 5
    report(STAGE_HOLDINGS, 0, steps)
    write("property_titles", TITLE_COLUMNS, make_titles(rng, people, geo, dates, today=today))
    report(STAGE_HOLDINGS, 1, steps)
    insurance = make_insurance(rng, people, dates, today=today)
    write("insurance_enrolments", INSURANCE_COLUMNS, insurance)
    report(STAGE_HOLDINGS, 2, steps)
    licences, vehicles = make_traffic(rng, people, geo, dates, today=today)
    write("driving_licences", LICENCE_COLUMNS, licences)
    write("vehicles", VEHICLE_COLUMNS, vehicles)
    report(STAGE_HOLDINGS, 3, steps)
    firm_rows = make_firms(rng, people, geo, dates, today=today, count=firms)
    write("firms", FIRM_COLUMNS, firm_rows)
    report(STAGE_HOLDINGS, 4, steps)
    write("tax_standings", TAX_COLUMNS, make_tax(rng, people, firm_rows, dates, today=today))
    report(STAGE_HOLDINGS, 5, steps)
    return counts


def _prepare(connection: Connection, *, nodes: list[dict[str, object]], reset: bool) -> None:
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
        raise DemoExists(
            "演示省已经存在（节点或居民数据已在库中）。如需清空后重建，请加 --reset",
            field="reset",
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Millions of new tuples would trigger the cycle collector again and again for nothing:
    # the rows hold only strings, numbers and None.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _silent(stage: str, done: int, total: int) -> None:
    del stage, done, total
