"""``certfree procedures``: service items (政务服务事项) — import, list, show, routes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from certfree import certs, procedures
from certfree.cli.common import actor_name, database_session, load_settings, print_json
from certfree.cli.i18n import headings, label, t
from certfree.demo import load_demo_items
from certfree.errors import InvalidInput
from certfree.exchange.questions.coverage import ExchangeFactSource

app = typer.Typer(no_args_is_help=True)
console = Console()

Actor = Annotated[str | None, typer.Option("--actor")]
AsJson = Annotated[bool, typer.Option("--json")]


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    strict: Annotated[bool, typer.Option("--strict")] = False,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Import service items; if any row is wrong nothing is imported, and each error is listed with
    its row, column and reason."""
    with database_session() as session:
        report = procedures.import_service_items(
            session, file.read_bytes(), file.name, actor_name(actor), strict=strict
        )
    if as_json:
        print_json(report.as_json())
        return
    encoding = t("procedures.encoding", encoding=report.encoding) if report.encoding else ""
    console.print(
        t(
            "procedures.imported",
            rows=report.rows,
            format=report.format,
            encoding=encoding,
            created=len(report.created),
            updated=len(report.updated),
        ),
        highlight=False,
    )
    if report.warnings:
        console.print(
            f"[yellow]{t('procedures.warnings', count=len(report.warnings))}[/yellow]",
            highlight=False,
        )
        for warning in report.warnings:
            console.print(
                "  "
                + t("row_problem", row=warning.row, column=warning.column, reason=warning.reason),
                highlight=False,
            )


@app.command("load-demo")
def load_demo(actor: Actor = None) -> None:
    """Load the demo province's pilot service items and the demo proof-item list."""
    with database_session() as session:
        count = load_demo_items(session, actor_name(actor))
    console.print(t("procedures.demo_loaded", count=count))


@app.command("list")
def list_(
    query: Annotated[str | None, typer.Option("--query", "-q")] = None,
    status: Annotated[procedures.ServiceItemStatus | None, typer.Option("--status")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: AsJson = False,
) -> None:
    """List service items (by code)."""
    with database_session() as session:
        total, items = procedures.list_service_items(
            session, query=query, status=status, limit=limit, offset=offset
        )
    if as_json:
        print_json({"total": total, "items": [i.model_dump(mode="json") for i in items]})
        return
    table = Table(title=t("procedures.list", total=total, shown=len(items)))
    for heading in headings("procedures.list.headings"):
        table.add_column(heading)
    for item in items:
        table.add_row(
            item.code,
            item.name,
            item.department_name,
            label(item.level.zh, item.level.value),
            label(item.status.zh, item.status.value),
            str(item.requirement_count),
        )
    console.print(table)


@app.command()
def show(
    code: Annotated[str, typer.Argument()],
    as_json: AsJson = False,
) -> None:
    """Show a service item and, for each requirement, the evidence and ways accepted."""
    with database_session() as session:
        item = procedures.get_service_item(session, code)
        needs = procedures.requirements_of(session, code)
    if as_json:
        print_json(
            {
                **item.model_dump(mode="json"),
                "requirements": needs.model_dump(mode="json")["requirements"],
            }
        )
        return
    console.print(t("procedures.title", name=item.name, code=item.code), highlight=False)
    console.print(
        t(
            "procedures.facts",
            department=item.department_name,
            level=label(item.level.zh, item.level.value),
            status=label(item.status.zh, item.status.value),
        ),
        highlight=False,
    )
    if item.review_reason:
        console.print(
            f"[yellow]{t('procedures.review', reason=item.review_reason)}[/yellow]",
            highlight=False,
        )
    table = Table(title=t("procedures.requirements"))
    for heading in headings("procedures.requirements.headings"):
        table.add_column(heading)
    for requirement in needs.requirements:
        for index, alternative in enumerate(requirement.alternatives, start=1):
            for evidence in alternative:
                table.add_row(
                    requirement.description,
                    str(index),
                    t(
                        "procedures.evidence",
                        kind=label(evidence.kind.zh, evidence.kind.value),
                        name=evidence.name,
                        ref=evidence.ref,
                    ),
                    t("list_separator").join(evidence.ways_zh) or "—",
                )
    console.print(table)


@app.command()
def routes(
    code: Annotated[str, typer.Argument()],
    applicant: Annotated[str, typer.Option("--applicant")],
    party: Annotated[list[str] | None, typer.Option("--party", metavar="ROLE=ID")] = None,
    as_json: AsJson = False,
) -> None:
    """Work out the easiest way to meet each requirement for an applicant, and say why."""
    settings = load_settings()
    with database_session() as session:
        parties = _parties(party or [])
        report = procedures.resolve_routes(
            session,
            code,
            applicant,
            parties=parties,
            facts=ExchangeFactSource.for_node(session, settings),
            holdings=certs.LibraryHoldings(session),
        )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(
        t("procedures.routes", service=report.service_name, applicant=report.applicant),
        highlight=False,
    )
    for requirement in report.requirements:
        style = "red" if requirement.way is None else "green"
        way = label(requirement.way_zh, requirement.way.label_en if requirement.way else "no way")
        explanation = label(requirement.explanation_zh, requirement.explanation_en)
        console.print(f"[{style}]{way}[/{style}]　{explanation}", highlight=False)
    if report.paperless:
        console.print(t("procedures.paperless"))
    else:
        console.print(
            t("procedures.paper", paper=report.paper_count, unmet=len(report.unmet)),
            highlight=False,
        )


def _parties(pairs: list[str]) -> dict[str, str]:
    """``ROLE=ID`` options as role → identifier; InvalidInput for one without ``=``."""
    parties: dict[str, str] = {}
    for pair in pairs:
        role, sep, who = pair.partition("=")
        if not sep or not role.strip() or not who.strip():
            raise InvalidInput(t("procedures.bad_party", pair=pair), field="party")
        parties[role.strip()] = who.strip()
    return parties
