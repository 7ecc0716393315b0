"""`certfree catalog` commands (thin: build settings, call the domain, print).

``import`` loads a CSV/XLSX catalog file all or nothing, with a progress bar on stderr;
``match`` ranks resources for demands (``--json``: a JSON array per demand); ``gaps`` lists
demands nothing matches; ``request``/``approve``/``refuse``/``grants`` handle sharing requests
(run by an operator of the node, like ``certfree grants``); ``publish`` snapshots the supply
and demand lists and ``lists`` exports one. The match index is kept in ``<var>/cache`` beside
the key directory, so consecutive calls reuse it until the catalog changes.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from certfree import catalog
from certfree.cli.catalog_harvest import register as register_harvest
from certfree.cli.common import (
    actor_name,
    database_session,
    err_console,
    load_settings,
    print_json,
    reported_errors,
)
from certfree.demo.catalog import demo_catalog_files
from certfree.errors import InvalidInput

app = typer.Typer(
    help="数据资源目录 data resource catalog, demands and matching", no_args_is_help=True
)
demand_app = typer.Typer(help="数据需求 demands of consuming departments", no_args_is_help=True)
app.add_typer(demand_app, name="demand")


def _cache_dir() -> Path:
    return load_settings().key_dir.parent / "cache"


def _import_file(file: Path, fmt: str | None, encoding: str | None) -> dict[str, Any]:
    with reported_errors():
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"无法读取 {file}：{exc.strerror}", field="file") from None
    return _import_bytes(file.name, data, fmt, encoding)


def _import_bytes(name: str, data: bytes, fmt: str | None, encoding: str | None) -> dict[str, Any]:
    with (
        database_session() as session,
        Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=err_console, transient=True,
        ) as bar,
    ):  # fmt: skip
        task = bar.add_task(f"导入 {name}", total=None)
        report = catalog.import_catalog(
            session, data, name, fmt=fmt, encoding=encoding,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )  # fmt: skip
    return report.as_json()


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX of catalog entries")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv or xlsx")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="CSV encoding, e.g. gbk (default: detect UTF-8/GBK)")
    ] = None,
) -> None:
    """Import FILE: every row valid, or nothing stored and each bad row reported."""
    print_json(_import_file(file, fmt, encoding))


@app.command("demo")
def demo(
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="folder of CSV files (default: the demo catalog shipped)"),
    ] = None,
) -> None:
    """Import the demo catalog: real open-data portal entries (re-running refreshes them)."""
    if directory is None:
        print_json([_import_bytes(n, data, None, None) for n, data in demo_catalog_files()])
        return
    files = sorted(directory.glob("*.csv"))
    if not files:
        with reported_errors():
            raise InvalidInput(f"{directory} 中没有 CSV 文件", field="dir")
    print_json([_import_file(file, None, None) for file in files])


def _render(candidates: list[catalog.Candidate]) -> None:
    table = Table("得分", "代码", "名称", "提供方", "匹配说明")
    for c in candidates:
        table.add_row(f"{c.score:.3f}", c.code, c.name, c.provider, c.explanation["summary"])
    Console(soft_wrap=True).print(table)


@app.command("match")
def match(
    text: Annotated[str | None, typer.Argument(help="the demand, in free text")] = None,
    top: Annotated[int, typer.Option(min=1, max=100, help="candidates per demand")] = 5,
    item: Annotated[list[str] | None, typer.Option(help="a data item wanted (repeatable)")] = None,
    batch: Annotated[Path | None, typer.Option(help="file of demands, one per line")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Rank resources for a demand; with --batch, one JSON array per input line, in order."""
    with reported_errors():
        if (text is None) == (batch is None):
            raise InvalidInput(
                "请给出需求文本，或用 --batch 给出需求文件（二者选一）", field="text"
            )
        lines = [text or ""]
        if batch is not None:
            try:
                lines = batch.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise InvalidInput(f"无法读取 {batch}：{exc}", field="batch") from None
    with database_session() as session:
        index = catalog.load_index(session, _cache_dir())
    for line in lines:
        found = catalog.match(index, line, item or (), top=top) if line.strip() else []
        if batch is not None:
            typer.echo(json.dumps([c.as_json() for c in found], ensure_ascii=False))
        elif as_json:
            print_json([c.as_json() for c in found])
        else:
            _render(found)


@app.command("index")
def index() -> None:
    """Build (or load) the match index and say how long it took."""
    started = time.perf_counter()
    with database_session() as session:
        built = catalog.load_index(session, _cache_dir())
    print_json({"resources": len(built), "seconds": round(time.perf_counter() - started, 2)})


@app.command("show")
def show(code: Annotated[str, typer.Argument(help="resource code, e.g. 307/000001")]) -> None:
    """One resource with all its metadata."""
    with database_session() as session:
        print_json(catalog.resource_json(catalog.get_resource(session, code)))


@app.command("list")
def list_(
    provider: Annotated[str | None, typer.Option(help="provider name")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
) -> None:
    """Resources in code order."""
    with database_session() as session:
        rows = catalog.list_resources(session, provider=provider, limit=limit, offset=offset)
        print_json([catalog.resource_json(row) for row in rows])


@app.command("gaps")
def gaps(
    threshold: Annotated[float, typer.Option(min=0, max=1)] = catalog.GAP_THRESHOLD,
) -> None:
    """Demands with no resource scoring THRESHOLD or more (the gap list)."""
    with database_session() as session:
        index = catalog.load_index(session, _cache_dir())
        print_json(catalog.gap_list(session, index, threshold=threshold))


@demand_app.command("add")
def demand_add(  # noqa: PLR0917 - one parameter per command-line option
    department: Annotated[str, typer.Option(help="consuming department")],
    scenario: Annotated[str, typer.Option(help="scenario or service item served")],
    purpose: Annotated[str, typer.Option(help="what the data is used for")],
    legal_basis: Annotated[str, typer.Option(help="law or rule the use rests on")],
    text: Annotated[str, typer.Option(help="the data wanted, in free text")] = "",
    item: Annotated[list[str] | None, typer.Option(help="a data item wanted (repeatable)")] = None,
    calls_per_day: Annotated[int, typer.Option(min=0, help="expected calls per day")] = 0,
    department_code: Annotated[str | None, typer.Option(help="department code")] = None,
) -> None:
    """Register a demand and show its best candidates."""
    with database_session() as session:
        row = catalog.register_demand(
            session,
            {"department": department, "department_code": department_code,
             "scenario": scenario, "text": text, "items": item or [], "purpose": purpose,
             "legal_basis": legal_basis, "calls_per_day": calls_per_day},
        )  # fmt: skip
        index = catalog.load_index(session, _cache_dir())
        query, items = catalog.demand_query(row)
        found = catalog.match(index, query, items, top=5)
        print_json({**catalog.demand_json(row), "candidates": [c.as_json() for c in found]})


@demand_app.command("list")
def demand_list() -> None:
    """Every registered demand."""
    with database_session() as session:
        print_json([catalog.demand_json(row) for row in catalog.list_demands(session)])


def _moment(value: str | None, field: str) -> dt.datetime | None:
    """A date (start of day, Asia/Shanghai) or an ISO 8601 instant; None if not given."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time(), catalog.SHANGHAI).astimezone(dt.UTC)
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"「{value}」不是日期（2026-01-31）或时间", field=field) from None
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _grant_line(view: dict[str, Any]) -> str:
    note = f" · {view['decision_note']}" if view["decision_note"] else ""
    return (
        f"#{view['id']} 需求 {view['demand_id']} · {view['consumer']} → {view['provider']} · "
        f"资源 {view['resource_code']} · 数据项 {'、'.join(view['data_items'])} · "
        f"{view['effective_status_zh']}{note}"
    )


def _show_grant(view: dict[str, Any], as_json: bool) -> None:
    print_json(view) if as_json else typer.echo(_grant_line(view))


@app.command("request")
def request(  # noqa: PLR0917 - one parameter per command-line option
    demand: Annotated[int, typer.Option(help="demand number, as `catalog demand list` shows")],
    resource: Annotated[str, typer.Option(help="resource code, e.g. 101/000001")],
    item: Annotated[
        list[str] | None, typer.Option(help="data item wanted (repeat); none: the whole resource")
    ] = None,
    purpose: Annotated[str | None, typer.Option(help="default: the demand's purpose")] = None,
    valid_from: Annotated[str | None, typer.Option("--from", help="start, e.g. 2026-01-01")] = None,
    valid_to: Annotated[str | None, typer.Option("--to", help="end, e.g. 2026-12-31")] = None,
    actor: Annotated[str | None, typer.Option(help="who requests (default cli:<login>)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the grant as JSON")] = False,
) -> None:
    """Request RESOURCE for DEMAND: granted, pending or refused by its share type."""
    with database_session() as session:
        grant = catalog.request_resource(
            session, demand_id=demand, resource_code=resource, requested_by=actor_name(actor),
            data_items=item, purpose=purpose, valid_from=_moment(valid_from, "from"),
            valid_to=_moment(valid_to, "to"),
        )  # fmt: skip
        view = catalog.grant_view(grant)
    _show_grant(view, as_json)


@app.command("approve")
def approve(  # noqa: PLR0917 - one parameter per command-line option
    grant_id: Annotated[int, typer.Argument(help="request number, as `catalog grants` shows")],
    item: Annotated[
        list[str] | None, typer.Option(help="data item granted (repeat; only fewer)")
    ] = None,
    purpose: Annotated[str | None, typer.Option(help="the purpose as granted")] = None,
    valid_from: Annotated[str | None, typer.Option("--from", help="start (only later)")] = None,
    valid_to: Annotated[str | None, typer.Option("--to", help="end (only earlier)")] = None,
    note: Annotated[str | None, typer.Option(help="a note on the decision")] = None,
    actor: Annotated[str | None, typer.Option(help="who decides (default cli:<login>)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the grant as JSON")] = False,
) -> None:
    """Approve a pending request, optionally narrowing items, purpose and period."""
    with database_session() as session:
        grant = catalog.approve_request(
            session, grant_id, decided_by=actor_name(actor), data_items=item, purpose=purpose,
            valid_from=_moment(valid_from, "from"), valid_to=_moment(valid_to, "to"), note=note,
        )  # fmt: skip
        view = catalog.grant_view(grant)
    _show_grant(view, as_json)


@app.command("refuse")
def refuse(
    grant_id: Annotated[int, typer.Argument(help="request number, as `catalog grants` shows")],
    reason: Annotated[str, typer.Option(help="why the request is refused (required)")],
    actor: Annotated[str | None, typer.Option(help="who decides (default cli:<login>)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the grant as JSON")] = False,
) -> None:
    """Refuse a pending request, with the reasons."""
    with database_session() as session:
        grant = catalog.refuse_request(
            session, grant_id, decided_by=actor_name(actor), reason=reason
        )
        view = catalog.grant_view(grant)
    _show_grant(view, as_json)


@app.command("grants")
def grants(
    consumer: Annotated[str | None, typer.Option(help="requesting department code")] = None,
    provider: Annotated[str | None, typer.Option(help="providing department code")] = None,
    status: Annotated[catalog.GrantStatus | None, typer.Option(help="stored status")] = None,
    demand: Annotated[int | None, typer.Option(help="demand number")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Resource sharing requests and grants, oldest first."""
    with database_session() as session:
        rows = catalog.list_grants(
            session, consumer=consumer, provider=provider, status=status, demand_id=demand,
            resources_only=True,
        )  # fmt: skip
        views = [catalog.grant_view(g) for g in rows]
    if as_json:
        print_json(views)
        return
    typer.echo(f"共 {len(views)} 项资源共享申请")
    for view in views:
        typer.echo(_grant_line(view))


@app.command("publish")
def publish(
    date: Annotated[str | None, typer.Option(help="date of the lists (default: today)")] = None,
    actor: Annotated[str | None, typer.Option(help="who publishes (default cli:<login>)")] = None,
) -> None:
    """Publish the supply and demand lists as snapshots dated DATE."""
    with reported_errors():
        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise InvalidInput(f"「{date}」不是日期（应为 2026-01-31）", field="date") from None
    with database_session() as session:
        index = catalog.load_index(session, _cache_dir())
        made = catalog.publish_lists(session, index, published_by=actor_name(actor), on=day)
        print_json([catalog.snapshot_json(s) for s in made])


@app.command("lists")
def lists(
    kind: Annotated[str, typer.Option(help="supply or demand")],
    out: Annotated[Path, typer.Option(help="file to write")],
    fmt: Annotated[str, typer.Option("--format", help="json, csv or xlsx")] = "json",
    date: Annotated[str, typer.Option(help="YYYY-MM-DD or latest")] = "latest",
) -> None:
    """Write a published list to OUT as JSON, CSV or XLSX."""
    with database_session() as session:
        snapshot = catalog.get_snapshot(session, kind, date)
        data = catalog.export_snapshot(snapshot, fmt)
        shown = catalog.snapshot_json(snapshot)
    with reported_errors():
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise InvalidInput(f"无法写入 {out}：{exc.strerror}", field="out") from None
    err_console.print(
        f"{shown['kind_zh']} {shown['date']}：{shown['row_count']} 条 → {out}"
        f"（SHA-256 {shown['content_hash'][:16]}…）",
        highlight=False,
    )


register_harvest(app)  # `certfree catalog harvest` (the province harvests node catalogs)
