"""`certfree governance` commands (thin: read the vocabulary, print).

* ``classes`` — the data classes and grades every catalog item, question answer field and
  certificate face field is labelled with (GB/T 43697-2024; 个人信息保护法 第4条、第28条).
* ``fields`` — every labelled field with its class, grade and masking rule (the bureau's view).
* ``egress`` — important data and sensitive personal information that left this node, per day,
  recipient, question or resource, field and purpose (数据安全法 第21条; 个人信息保护法 第28条).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from certfree import classification
from certfree.cli.common import database_session, print_json, reported_errors
from certfree.cli.i18n import current_language, headings, t
from certfree.errors import InvalidInput
from certfree.governance.egress import egress_report
from certfree.governance.field_policy import field_view, masking_of, receivers_aspect
from certfree.i18n import Language

app = typer.Typer(no_args_is_help=True)
console = Console(soft_wrap=True)

AsJson = Annotated[bool, typer.Option("--json")]


@app.command("classes")
def classes_command(as_json: AsJson = False) -> None:
    """Print the vocabulary of data classes and grades, each with its legal basis."""
    kinds = classification.classes()
    if as_json:
        print_json(
            {
                "grades": [g.to_json() for g in classification.grades()],
                "classes": [k.to_json() for k in kinds],
            }
        )
        return
    english = current_language() is not Language.ZH_CN
    table = Table(title=t("governance.classes", count=len(kinds)))
    for heading in headings("governance.classes.headings"):
        table.add_column(heading)
    for kind in kinds:
        grade = classification.grade_of(kind.grade)
        table.add_row(
            kind.code,
            kind.name_en if english else kind.name,
            f"{kind.grade} {grade.name_en if english else grade.name}",
            t(f"governance.personal.{kind.personal.value}"),
            kind.mask,
            kind.basis,
        )
    console.print(table)


@app.command("fields")
def fields_command(as_json: AsJson = False) -> None:
    """Print every certificate face field, question answer field and catalog data item of this
    node with its class, grade, masking rule and an example of the masked value."""
    with database_session() as session:
        rows = field_view(session, (masking_of, receivers_aspect(session)))
    if as_json:
        print_json({"fields": rows})
        return
    english = current_language() is not Language.ZH_CN
    table = Table(title=t("governance.fields", count=len(rows)))
    for heading in headings("governance.fields.headings"):
        table.add_column(heading)
    for row in rows:
        example = "" if row["example"] is None else f"{row['example']} → "
        table.add_row(
            t(f"governance.source.{row['source']}"),
            f"{row['owner']} {_named(row, 'owner_name', english=english)}",
            f"{row['field']} {_named(row, 'label', english=english)}",
            f"{row['class']} {row['class_name_en'] if english else row['class_name']}",
            str(row["grade"]),
            row["mask"],
            f"{example}{row['example_masked'] or ''}",
        )
    console.print(table)


def _named(row: dict[str, Any], key: str, *, english: bool) -> str:
    """A row's name in the language asked, in Chinese where it has no English one."""
    return str((row[f"{key}_en"] if english else None) or row[key])


def _day(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(t("governance.egress.not_a_day", value=value), field=field) from None


@app.command("egress")
def egress_command(
    since: Annotated[str | None, typer.Option()] = None,
    until: Annotated[str | None, typer.Option()] = None,
    region: Annotated[str | None, typer.Option()] = None,
    as_json: AsJson = False,
) -> None:
    """Print the important data and sensitive personal information that left this node."""
    with reported_errors():
        first = _day(since, "since")
        last = _day(until, "until")
        with database_session() as session:
            report = egress_report(session, since=first, until=last, region=region)
    if as_json:
        print_json(report)
        return
    totals = report["totals"]
    table = Table(title=t("governance.egress", **totals))
    for heading in headings("governance.egress.headings"):
        table.add_column(heading)
    for line in report["lines"]:
        kinds = [t("governance.egress.important")] if line["important"] else []
        kinds += [t("governance.personal.sensitive")] if line["sensitive"] else []
        table.add_row(
            line["day"],
            line["provider"],
            line["recipient"],
            line["question"] or line["resource_code"] or "",
            f"{line['field']} ({line['grade']})",
            t("list_separator").join(kinds),
            str(line["records"]),
            line["purpose"],
        )
    console.print(table)
