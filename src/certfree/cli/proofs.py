"""``certfree proofs``: the proof-item list (证明事项清单) — import, publish, diff, repeal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from certfree import procedures, proofs
from certfree.cli.common import actor_name, database_session, print_json
from certfree.cli.i18n import headings, label, t
from certfree.errors import InvalidInput

app = typer.Typer(no_args_is_help=True)
console = Console()

Actor = Annotated[str | None, typer.Option("--actor")]
Reason = Annotated[str, typer.Option("--reason")]
AsJson = Annotated[bool, typer.Option("--json")]
VersionOpt = Annotated[int | None, typer.Option("--version", min=1)]


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    fmt: Annotated[str | None, typer.Option("--format")] = None,
    actor: Actor = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    as_json: AsJson = False,
) -> None:
    """Import the proof-item list; if any row is wrong nothing is imported, and each error is listed
    with its row, column and reason."""
    with database_session() as session:
        report = proofs.import_proof_list(
            session, file.read_bytes(), file.name, actor_name(actor), fmt=fmt, reason=reason
        )
    if as_json:
        print_json(report.as_json())
        return
    console.print(
        t(
            "proofs.imported",
            rows=report.rows,
            format=report.format + (", " + report.encoding if report.encoding else ""),
            added=len(report.added),
            amended=len(report.amended),
            unchanged=len(report.unchanged),
            flagged=len(report.flagged),
        ),
        highlight=False,
    )
    for code in report.flagged:
        console.print(f"  [yellow]{t('proofs.flagged')}[/yellow] {code}", highlight=False)
    for code in report.abolished:
        console.print(f"  [dim]{t('proofs.not_imported')}[/dim] {code}", highlight=False)


@app.command()
def publish(reason: Reason, actor: Actor = None) -> None:
    """Publish the current list as a new version."""
    with database_session() as session:
        version = proofs.publish(session, actor_name(actor), reason)
    console.print(
        t(
            "proofs.published",
            number=version.number,
            items=version.item_count,
            reason=version.reason,
        ),
        highlight=False,
    )


@app.command()
def diff(
    v1: Annotated[int, typer.Argument(min=1)],
    v2: Annotated[int, typer.Argument(min=1)],
    as_json: AsJson = False,
) -> None:
    """Compare two published versions: items added, abolished and changed field by field."""
    with database_session() as session:
        result = proofs.diff(session, v1, v2)
    if as_json:
        print_json(result)
        return
    console.print(t("proofs.diff", v1=v1, v2=v2), style="bold", highlight=False)
    for item in result["added"]:
        console.print(
            f"[green]+ {t('proofs.added')}[/green] {item['code']} {item['name']}", highlight=False
        )
    for item in result["removed"]:
        why = t("proofs.why", reason=item["abolition_reason"]) if item["abolition_reason"] else ""
        console.print(
            f"[red]- {t('proofs.removed')}[/red] {item['code']} {item['name']}{why}",
            highlight=False,
        )
    for item in result["changed"]:
        console.print(
            f"[yellow]~ {t('proofs.changed')}[/yellow] {item['code']} {item['name']}",
            highlight=False,
        )
        for change in item["changes"]:
            console.print(
                f"    {change['field']}: {change['before']} → {change['after']}", highlight=False
            )
    if not (result["added"] or result["removed"] or result["changed"]):
        console.print(t("proofs.no_difference"))


@app.command("abolition-report")
def abolition_report(as_json: AsJson = False) -> None:
    """Proof items to be abolished and why (no legal basis, or the basis was repealed)."""
    with database_session() as session:
        report = proofs.abolition_report(session)
    if as_json:
        print_json(report)
        return
    table = Table(title=t("proofs.abolition", count=report["count"]), caption=report["rule"])
    for heading in headings("proofs.abolition.headings"):
        table.add_column(heading)
    for item in report["items"]:
        table.add_row(item["code"], item["name"], item["issuing_department"], item["reason"])
    console.print(table)


@app.command("list")
def list_(version: VersionOpt = None, as_json: AsJson = False) -> None:
    """List proof items: the working list, or the published version given with --version."""
    with database_session() as session:
        items = proofs.list_items(session, version)
    if as_json:
        print_json([i.as_json() for i in items])
        return
    title = t("proofs.version", number=version) if version else t("proofs.working")
    table = Table(title=t("proofs.list", title=title, count=len(items)))
    for heading in headings("proofs.list.headings"):
        table.add_column(heading)
    for item in items:
        table.add_row(
            item.code,
            item.name,
            item.issuing_department,
            t("list_separator").join(label(w.label_zh, w.value) for w in item.ways),
            label(item.status.label_zh, item.status.value),
        )
    console.print(table)


@app.command()
def repeal(
    document: Annotated[str, typer.Argument()],
    reason: Reason,
    actor: Actor = None,
) -> None:
    """Record that a legal document was repealed, and flag the proof items that lose their basis for
    abolition."""
    with database_session() as session:
        impact = procedures.adjust_for_repeal(session, document, actor_name(actor), reason)
    console.print(
        t(
            "proofs.repealed",
            document=document,
            proofs=len(impact.proof_codes),
            services=len(impact.service_codes),
        ),
        highlight=False,
    )
    for code in impact.proof_codes:
        console.print(f"  [yellow]{t('proofs.flagged')}[/yellow] {code}", highlight=False)
    for code in impact.service_codes:
        console.print(f"  [yellow]{t('proofs.to_review')}[/yellow] {code}", highlight=False)


@app.command()
def abolish(code: Annotated[str, typer.Argument()], reason: Reason, actor: Actor = None) -> None:
    """Abolish a proof item."""
    with database_session() as session:
        item = proofs.abolish_item(session, code, actor_name(actor), reason)
    console.print(t("proofs.abolished", code=item.code, name=item.name), highlight=False)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format")] = "json",
    version: VersionOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Export a published list (default: the newest version): JSON, or UTF-8 CSV with a BOM (opens
    directly in Excel)."""
    with database_session() as session:
        if fmt not in {"json", "csv"}:
            raise InvalidInput(t("proofs.bad_format", format=fmt), field="--format")
        number = version or proofs.current_version(session)
        if number is None:
            raise proofs.ListVersionNotFound(t("proofs.unpublished"), field="--version")
        items = proofs.list_items(session, number)
    data = (
        proofs.export_csv(items)
        if fmt == "csv"
        else proofs.export_json(items, version=number).encode("utf-8")
    )
    if output is None:
        typer.echo(data.decode("utf-8-sig"), nl=False)
    else:
        output.write_bytes(data)
        console.print(
            t("proofs.exported", output=output, number=number, items=len(items)), highlight=False
        )


@app.command()
def versions(as_json: AsJson = False) -> None:
    """The published versions."""
    with database_session() as session:
        found = proofs.list_versions(session)
    if as_json:
        print_json([v.as_json() for v in found])
        return
    table = Table(title=t("proofs.versions"))
    for heading in headings("proofs.versions.headings"):
        table.add_column(heading)
    for v in found:
        table.add_row(
            str(v.number), f"{v.published_at:%Y-%m-%d %H:%M}", v.actor, str(v.item_count), v.reason
        )
    console.print(table)
