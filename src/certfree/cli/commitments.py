"""``certfree commitments``: the commitment form, after-check draws and overdue checks."""

from __future__ import annotations

import typer

from certfree import commitments
from certfree.cli.common import database_session, reported_errors
from certfree.cli.i18n import current_language, label, t

app = typer.Typer(no_args_is_help=True)


@app.command()
def form(
    proof: str = typer.Argument(...),
    service: str | None = typer.Option(None),
    lang: str | None = typer.Option(None, show_default=False),
) -> None:
    """Print the commitment form for PROOF and the hash an applicant signs."""
    with reported_errors():
        with database_session() as session:
            shown = commitments.commitment_form(session, proof, service, lang or current_language())
        typer.echo(shown.text)
        typer.echo(f"text_hash: {shown.text_hash}")


def _print_checks(rows: list[commitments.AfterCheck], title: str) -> None:
    """One line per check, then why its rate was what it was (plain lines, easy to grep)."""
    typer.echo(title)
    for row in rows:
        typer.echo(
            t(
                "commitments.check_line",
                id=row.id,
                commitment=row.commitment_id,
                proof=row.proof_code,
                applicant=row.applicant_id,
                rate=f"{row.rate_bp / 100:g}",
                method=label(row.method.zh, row.method.value),
                due=f"{row.due_at:%Y-%m-%d}",
                status=label(row.status.zh, row.status.value),
            )
        )
        typer.echo("    " + t("commitments.basis", reasons=row.rate_reasons))


@app.command()
def draw(
    seed: str = typer.Option(...),
    proof: str | None = typer.Option(None),
) -> None:
    """Draw after-checks among submitted commitments no draw has considered yet."""
    with reported_errors():
        with database_session() as session:
            drawn = commitments.draw_after_checks(session, proof_code=proof, seed=seed)
        # Printed once committed: what is shown has been recorded.
        _print_checks(drawn, t("commitments.drawn", count=len(drawn), seed=seed))


@app.command()
def overdue() -> None:
    """List pending after-checks past their due date."""
    with reported_errors():
        with database_session() as session:
            rows = commitments.list_after_checks(session, overdue=True)
        _print_checks(rows, t("commitments.overdue", count=len(rows)))
