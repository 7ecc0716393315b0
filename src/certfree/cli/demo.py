"""``certfree demo``: build the demo province and look at its people."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from certfree.auth import NODE_KEY_OWNER
from certfree.certs import today
from certfree.cli.common import err_console, load_settings, node_keys, reported_errors
from certfree.cli.i18n import headings, label, t
from certfree.demo import (
    DemoExists,
    DemoSummary,
    build_demo_province,
    grant_demo_departments,
    list_province_itself,
    load_demo_items,
)
from certfree.demo.relying_parties import register_demo_relying_parties
from certfree.governance.relying_parties import hosted_keys
from certfree.identifiers import parse_division
from certfree.population import SEX_ZH, list_people
from certfree.settings import NodeLevel, Settings
from certfree.storage import Database, migrate

app = typer.Typer(no_args_is_help=True)
console = Console()
DEMO_ACTOR = "demo-init"


@app.command()
def init(
    citizens: Annotated[int, typer.Option()] = 20_000,
    firms: Annotated[
        int | None,
        typer.Option(),
    ] = None,
    seed: Annotated[int, typer.Option()] = 2023,
    reset: Annotated[bool, typer.Option("--reset")] = False,
    if_missing: Annotated[
        bool,
        typer.Option("--if-missing"),
    ] = False,
) -> None:
    """Build the demo province: 1 province, 16 city nodes with 9 department nodes each, and
    consistent synthetic population data; and grant this node the demo questions at every
    demo department node."""
    with reported_errors():
        settings = load_settings()
        db = Database(settings.database_url)
        try:
            try:
                summary = _build(
                    db,
                    citizens=citizens,
                    firms=citizens // 10 if firms is None else firms,
                    seed=seed,
                    reset=reset,
                )
                console.print(_summary_table(summary))
            except DemoExists:
                if not if_missing:
                    raise
                console.print(t("demo.kept"))
            with db.session() as session:
                # The proof-item list and the pilot service items (idempotent).
                services = load_demo_items(session, DEMO_ACTOR)
            console.print(t("demo.services_loaded", count=services))
            _prepare_single_node(db, settings)
        finally:
            db.dispose()


def _prepare_single_node(db: Database, settings: Settings) -> None:
    """This node as the single node `make run` serves (:mod:`certfree.demo.single_node`)."""
    code = settings.node_code
    keys = node_keys(settings)
    if settings.is_development and not keys.keys(NODE_KEY_OWNER):
        info = keys.create(NODE_KEY_OWNER)  # as `serve` would, a moment later
        err_console.print(t("serve.created_key", kid=info.kid, dir=settings.key_dir))
    if settings.is_development and not keys.encryption.keys(NODE_KEY_OWNER):
        keys.encryption.ensure(NODE_KEY_OWNER)  # as `serve` would: peers encrypt to it
    with db.session() as session:
        if settings.node_level is NodeLevel.PROVINCE and keys.keys(NODE_KEY_OWNER):
            jwks = keys.published_jwks(NODE_KEY_OWNER)
            if list_province_itself(session, code, jwks=jwks, endpoint=settings.base_url):
                console.print(t("demo.listed_itself", node=code, url=settings.base_url))
        granted = len(grant_demo_departments(session, code))
    console.print(t("demo.grants_loaded", node=code, count=granted))
    with db.session() as session:  # verifiers the demo verifier persona signs requests as
        parties = register_demo_relying_parties(session, hosted_keys(settings))
    console.print(t("demo.relying_parties", count=parties))


def _build(db: Database, *, citizens: int, firms: int, seed: int, reset: bool) -> DemoSummary:
    """Migrate, then build with a progress bar per stage."""
    migrate.upgrade(db)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        summary = build_demo_province(
            db, citizens=citizens, firms=firms, seed=seed, progress=report, reset=reset
        )
    return summary


def _summary_table(summary: DemoSummary) -> Table:
    table = Table(title=t("demo.built", seed=summary.seed, as_of=summary.as_of.isoformat()))
    table_heading, rows_heading = headings("demo.built.headings")
    table.add_column(table_heading)
    table.add_column(rows_heading, justify="right")
    for name, count in summary.counts.items():
        table.add_row(name, f"{count:,}")
    table.add_row(t("demo.total"), f"{summary.total_rows:,}", style="bold")
    table.caption = t("demo.elapsed", seconds=f"{summary.elapsed_seconds:.1f}")
    return table


@app.command()
def people(
    *,
    limit: Annotated[int, typer.Option(min=1)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    min_age: Annotated[int | None, typer.Option(min=0, max=150)] = None,
    region: Annotated[str | None, typer.Option(metavar="CODE")] = None,
    unmarried: Annotated[bool, typer.Option()] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the demo province's residents (by ID number)."""
    with reported_errors():
        division = parse_division(region).code if region is not None else None
        born_by = None
        if min_age is not None:
            day = today()  # in Beijing
            try:
                born_by = day.replace(year=day.year - min_age)
            except ValueError:  # 29 February
                born_by = day.replace(year=day.year - min_age, day=28)
        db = Database(load_settings().database_url)
        try:
            with db.session() as session:
                found = list_people(
                    session, limit, offset, born_by=born_by, region=division, unmarried=unmarried
                )
        except DBAPIError as exc:
            err_console.print(
                f"[red]{t('error')}[/red] {t('demo.no_tables')}",
                highlight=False,
            )
            raise typer.Exit(1) from exc
        finally:
            db.dispose()
    if as_json:
        typer.echo(json.dumps([p.as_json() for p in found], ensure_ascii=False, indent=2))
        return
    table = Table(title=t("demo.people", count=len(found)))
    for heading in headings("demo.people.headings"):
        table.add_column(heading)
    for person in found:
        table.add_row(
            person.name,
            person.id_number,
            label(SEX_ZH[person.sex], person.sex),
            person.birth_date.isoformat(),
            person.city,
        )
    console.print(table)
