"""``certfree cluster up|status|down``: a demo cascade as separate processes on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from certfree.cli.common import err_console, print_json, reported_errors
from certfree.cli.i18n import headings, t
from certfree.demo.cluster import cluster_up, demo_residents
from certfree.demo.cluster_processes import MANIFEST, cluster_down, cluster_status

app = typer.Typer(no_args_is_help=True)
console = Console()

_Dir = Annotated[Path, typer.Option("--dir")]


@app.command()
def up(
    *,
    cities: Annotated[int, typer.Option(min=0, max=16)] = 2,
    departments: Annotated[str, typer.Option()] = "MZ,GA",
    hosted: Annotated[str, typer.Option()] = "",
    directory: _Dir = Path("var/cluster"),
    citizens: Annotated[int, typer.Option(min=1000)] = 1000,
    seed: Annotated[int, typer.Option()] = 2023,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Start the province, CITIES cities and their DEPARTMENTS as separate processes."""
    with reported_errors():
        kinds = [part for part in departments.split(",") if part.strip()]
        manifest = cluster_up(
            directory,
            cities=cities,
            departments=kinds,
            hosted=[part for part in hosted.split(",") if part.strip()],
            citizens=citizens,
            seed=seed,
            report=lambda event, **figures: err_console.print(
                t(f"cluster.progress.{event}", **figures), highlight=False
            ),
        )
    if as_json:
        print_json(manifest)
        return
    table = Table(title=t("cluster.up", manifest=directory / MANIFEST))
    for heading in headings("cluster.up.headings"):
        table.add_column(heading)
    for code, node in manifest["nodes"].items():
        table.add_row(code, node["level"], node["url"], str(node["pid"]), node["name"])
    console.print(table)


@app.command()
def status(
    directory: _Dir = Path("var/cluster"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Health of every node of the cluster; exit status 1 if any is down."""
    with reported_errors():
        rows = cluster_status(directory)
    if as_json:
        print_json(rows)
    else:
        table = Table(title=t("cluster.status"))
        for heading in headings("cluster.status.headings"):
            table.add_column(heading)
        for row in rows:
            table.add_row(
                row["code"],
                row["level"],
                row["url"],
                str(row["pid"]),
                t("yes") if row["running"] else t("no"),
                row["health"],
            )
        console.print(table)
    if any(row["health"] != "ok" for row in rows):
        raise typer.Exit(1)


@app.command()
def down(directory: _Dir = Path("var/cluster")) -> None:
    """Stop every node (SIGTERM, then SIGKILL after 5 s)."""
    with reported_errors():
        killed = cluster_down(directory)
    if killed:
        err_console.print(t("cluster.killed", nodes=", ".join(killed)))
    console.print(t("cluster.down"))


@app.command()
def people(
    directory: _Dir = Path("var/cluster"),
    limit: Annotated[int, typer.Option(min=1)] = 5,
    offset: Annotated[int, typer.Option(min=0)] = 0,
) -> None:
    """ID numbers of residents of the cluster's demo world, one a line (to ask about)."""
    with reported_errors():
        for id_number in demo_residents(directory, limit, offset):
            typer.echo(id_number)
