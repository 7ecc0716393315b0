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
from certfree.cli.grants import cli_approver
from certfree.cli.i18n import headings, label, t
from certfree.demo.catalog import demo_catalog_files
from certfree.errors import InvalidInput

app = typer.Typer(no_args_is_help=True)
demand_app = typer.Typer(no_args_is_help=True)
app.add_typer(demand_app, name="demand")


def _cache_dir() -> Path:
    return load_settings().key_dir.parent / "cache"


def _import_file(file: Path, fmt: str | None, encoding: str | None) -> dict[str, Any]:
    with reported_errors():
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(
                t("cannot_read", path=file, error=exc.strerror), field="file"
            ) from None
    return _import_bytes(file.name, data, fmt, encoding)


def _import_bytes(name: str, data: bytes, fmt: str | None, encoding: str | None) -> dict[str, Any]:
    with (
        database_session() as session,
        Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=err_console, transient=True,
        ) as bar,
    ):  # fmt: skip
        task = bar.add_task(t("catalog.importing", name=name), total=None)
        report = catalog.import_catalog(
            session, data, name, fmt=fmt, encoding=encoding,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )  # fmt: skip
    return report.as_json()


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument()],
    fmt: Annotated[str | None, typer.Option("--format")] = None,
    encoding: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Import FILE: every row valid, or nothing stored and each bad row reported."""
    print_json(_import_file(file, fmt, encoding))


@app.command("demo")
def demo(
    directory: Annotated[
        Path | None,
        typer.Option("--dir"),
    ] = None,
) -> None:
    """Import the demo catalog: real open-data portal entries (re-running refreshes them)."""
    if directory is None:
        print_json([_import_bytes(n, data, None, None) for n, data in demo_catalog_files()])
        return
    files = sorted(directory.glob("*.csv"))
    if not files:
        with reported_errors():
            raise InvalidInput(t("catalog.no_csv", directory=directory), field="dir")
    print_json([_import_file(file, None, None) for file in files])


def _render(candidates: list[catalog.Candidate]) -> None:
    table = Table(*headings("catalog.match.headings"))
    for c in candidates:
        table.add_row(f"{c.score:.3f}", c.code, c.name, c.provider, c.explanation["summary"])
    Console(soft_wrap=True).print(table)


@app.command("match")
def match(
    text: Annotated[str | None, typer.Argument()] = None,
    top: Annotated[int, typer.Option(min=1, max=100)] = 5,
    item: Annotated[list[str] | None, typer.Option()] = None,
    batch: Annotated[Path | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Rank resources for a demand; with --batch, one JSON array per input line, in order."""
    with reported_errors():
        if (text is None) == (batch is None):
            raise InvalidInput(t("catalog.text_or_batch"), field="text")
        lines = [text or ""]
        if batch is not None:
            try:
                lines = batch.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise InvalidInput(t("cannot_read", path=batch, error=exc), field="batch") from None
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
def show(code: Annotated[str, typer.Argument()]) -> None:
    """One resource with all its metadata."""
    with database_session() as session:
        print_json(catalog.resource_json(catalog.get_resource(session, code)))


@app.command("list")
def list_(
    provider: Annotated[str | None, typer.Option()] = None,
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
    department: Annotated[str, typer.Option()],
    scenario: Annotated[str, typer.Option()],
    purpose: Annotated[str, typer.Option()],
    legal_basis: Annotated[str, typer.Option()],
    text: Annotated[str, typer.Option()] = "",
    item: Annotated[list[str] | None, typer.Option()] = None,
    calls_per_day: Annotated[int, typer.Option(min=0)] = 0,
    department_code: Annotated[str | None, typer.Option()] = None,
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
        raise InvalidInput(t("catalog.not_a_moment", value=value), field=field) from None
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _grant_line(view: dict[str, Any]) -> str:
    note = f" · {view['decision_note']}" if view["decision_note"] else ""
    return t(
        "catalog.grant_line",
        id=view["id"],
        demand=view["demand_id"],
        consumer=view["consumer"],
        provider=view["provider"],
        resource=view["resource_code"],
        items=t("list_separator").join(view["data_items"]),
        status=label(view["effective_status_zh"], view["effective_status"]),
        note=note,
    )


def _show_grant(view: dict[str, Any], as_json: bool) -> None:
    print_json(view) if as_json else typer.echo(_grant_line(view))


@app.command("request")
def request(  # noqa: PLR0917 - one parameter per command-line option
    demand: Annotated[int, typer.Option()],
    resource: Annotated[str, typer.Option()],
    item: Annotated[list[str] | None, typer.Option()] = None,
    purpose: Annotated[str | None, typer.Option()] = None,
    valid_from: Annotated[str | None, typer.Option("--from")] = None,
    valid_to: Annotated[str | None, typer.Option("--to")] = None,
    legal_basis: Annotated[str | None, typer.Option()] = None,
    legal_basis_text: Annotated[str | None, typer.Option()] = None,
    actor: Annotated[str | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Request RESOURCE for DEMAND: granted, pending or refused by its grade and share type."""
    with database_session() as session:
        grant = catalog.request_resource(
            session, demand_id=demand, resource_code=resource, requested_by=actor_name(actor),
            data_items=item, purpose=purpose, valid_from=_moment(valid_from, "from"),
            valid_to=_moment(valid_to, "to"), legal_basis=legal_basis,
            legal_basis_text=legal_basis_text,
            threshold=load_settings().grant_grade_threshold,
        )  # fmt: skip
        view = catalog.grant_view(grant)
    _show_grant(view, as_json)


@app.command("approve")
def approve(  # noqa: PLR0917 - one parameter per command-line option
    grant_id: Annotated[int, typer.Argument()],
    item: Annotated[list[str] | None, typer.Option()] = None,
    purpose: Annotated[str | None, typer.Option()] = None,
    valid_from: Annotated[str | None, typer.Option("--from")] = None,
    valid_to: Annotated[str | None, typer.Option("--to")] = None,
    note: Annotated[str | None, typer.Option()] = None,
    level: Annotated[catalog.ApproverLevel | None, typer.Option()] = None,
    org: Annotated[str | None, typer.Option()] = None,
    actor: Annotated[str | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Approve a pending request, optionally narrowing items, purpose and period."""
    with database_session() as session:
        grant = catalog.approve_request(
            session, grant_id, decided_by=actor_name(actor), data_items=item, purpose=purpose,
            valid_from=_moment(valid_from, "from"), valid_to=_moment(valid_to, "to"), note=note,
            approver=cli_approver(actor, level, org),
        )  # fmt: skip
        view = catalog.grant_view(grant)
    _show_grant(view, as_json)


@app.command("refuse")
def refuse(  # noqa: PLR0917 - one parameter per command-line option
    grant_id: Annotated[int, typer.Argument()],
    reason: Annotated[str, typer.Option()],
    level: Annotated[catalog.ApproverLevel | None, typer.Option()] = None,
    org: Annotated[str | None, typer.Option()] = None,
    actor: Annotated[str | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Refuse a pending request, with the reasons."""
    with database_session() as session:
        grant = catalog.refuse_request(
            session, grant_id, decided_by=actor_name(actor), reason=reason,
            approver=cli_approver(actor, level, org),
        )  # fmt: skip
        view = catalog.grant_view(grant)
    _show_grant(view, as_json)


@app.command("override")
def override(
    grant_id: Annotated[int, typer.Argument()],
    document: Annotated[str, typer.Option()],
    actor: Annotated[str | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """As the bureau, reopen a request refused as core data, naming the authorisation document."""
    with database_session() as session:
        bureau = catalog.Approver(actor_name(actor), catalog.ApproverLevel.BUREAU)
        grant = catalog.override_core(
            session, catalog.get_grant(session, grant_id), bureau, document=document
        )
        view = catalog.grant_view(grant)
    _show_grant(view, as_json)


@app.command("grants")
def grants(
    consumer: Annotated[str | None, typer.Option()] = None,
    provider: Annotated[str | None, typer.Option()] = None,
    status: Annotated[catalog.GrantStatus | None, typer.Option()] = None,
    demand: Annotated[int | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
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
    typer.echo(t("catalog.grant_count", count=len(views)))
    for view in views:
        typer.echo(_grant_line(view))


@app.command("publish")
def publish(
    date: Annotated[str | None, typer.Option()] = None,
    actor: Annotated[str | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Publish the supply and demand lists as snapshots dated DATE."""
    with reported_errors():
        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise InvalidInput(t("catalog.not_a_date", value=date), field="date") from None
    with database_session() as session:
        index = catalog.load_index(session, _cache_dir())
        made = catalog.publish_lists(session, index, published_by=actor_name(actor), on=day)
        shown = [catalog.snapshot_json(s) for s in made]
    if as_json:
        print_json(shown)
        return
    for snapshot in shown:
        typer.echo(
            t(
                "catalog.list_published",
                kind=label(snapshot["kind_zh"], snapshot["kind"]),
                date=snapshot["date"],
                rows=snapshot["row_count"],
                digest=snapshot["content_hash"][:16],
            )
        )


@app.command("lists")
def lists(
    kind: Annotated[str, typer.Option()],
    out: Annotated[Path, typer.Option()],
    fmt: Annotated[str, typer.Option("--format")] = "json",
    date: Annotated[str, typer.Option()] = "latest",
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
            raise InvalidInput(
                t("cannot_write", path=out, error=exc.strerror), field="out"
            ) from None
    err_console.print(
        t(
            "catalog.list_written",
            kind=label(shown["kind_zh"], shown["kind"]),
            date=shown["date"],
            rows=shown["row_count"],
            out=out,
            digest=shown["content_hash"][:16],
        ),
        highlight=False,
    )


register_harvest(app)  # `certfree catalog harvest` (the province harvests node catalogs)
