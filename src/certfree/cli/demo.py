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

from certfree.cli.common import err_console, load_settings, reported_errors
from certfree.demo import DemoExists, DemoSummary, build_demo_province, load_demo_items
from certfree.population import SEX_ZH, list_people
from certfree.storage import Database, migrate

app = typer.Typer(help="演示省 demo province", no_args_is_help=True)
console = Console()
DEMO_ACTOR = "demo-init"


@app.command()
def init(
    citizens: Annotated[int, typer.Option(help="居民人数 number of citizens")] = 20_000,
    firms: Annotated[
        int | None,
        typer.Option(help="市场主体数，默认居民数的十分之一 firms (default: citizens/10)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="随机种子：同一种子生成相同数据")] = 2023,
    reset: Annotated[
        bool, typer.Option("--reset", help="清空已有演示数据后重建 clear the demo first")
    ] = False,
    if_missing: Annotated[
        bool,
        typer.Option("--if-missing", help="已建成则跳过 do nothing if the demo is already built"),
    ] = False,
) -> None:
    """建立演示省：1 个省级、16 个市级和各 9 个部门节点，以及一致的合成人口数据。"""
    with reported_errors():
        db = Database(load_settings().database_url)
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
                console.print(
                    "演示省已建成，保留（--reset 可重建）demo province already built; kept"
                )
            with db.session() as session:
                # The proof-item list and the pilot service items (idempotent).
                services = load_demo_items(session, DEMO_ACTOR)
            console.print(
                f"证明事项清单与 {services} 个试点服务事项已载入 proof list and services loaded"
            )
        finally:
            db.dispose()


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
    table = Table(title=f"演示省已建成（种子 {summary.seed}，基准日 {summary.as_of.isoformat()}）")
    table.add_column("数据表 table")
    table.add_column("行数 rows", justify="right")
    for name, count in summary.counts.items():
        table.add_row(name, f"{count:,}")
    table.add_row("合计 total", f"{summary.total_rows:,}", style="bold")
    table.caption = f"用时 {summary.elapsed_seconds:.1f} 秒"
    return table


@app.command()
def people(
    limit: Annotated[int, typer.Option(min=1, help="最多列出多少人")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="跳过前多少人")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """列出演示省的居民（按身份证号排序）。"""
    with reported_errors():
        db = Database(load_settings().database_url)
        try:
            with db.session() as session:
                found = list_people(session, limit, offset)
        except DBAPIError as exc:
            err_console.print(
                "[red]error:[/red] 数据库中没有演示省数据表；请先运行 certfree demo init",
                highlight=False,
            )
            raise typer.Exit(1) from exc
        finally:
            db.dispose()
    if as_json:
        typer.echo(json.dumps([p.as_json() for p in found], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"演示省居民（{len(found)} 人）")
    for heading in ("姓名", "身份证号", "性别", "出生日期", "户籍所在市"):
        table.add_column(heading)
    for person in found:
        table.add_row(
            person.name,
            person.id_number,
            SEX_ZH[person.sex],
            person.birth_date.isoformat(),
            person.city,
        )
    console.print(table)
