"""``certfree commitments``: the commitment form, after-check draws and overdue checks."""

from __future__ import annotations

import typer

from certfree import commitments
from certfree.cli.common import database_session, reported_errors

app = typer.Typer(
    help="告知承诺 Commitments in lieu of proof, after-checks and credit.", no_args_is_help=True
)


@app.command()
def form(
    proof: str = typer.Argument(..., help="proof item code"),
    service: str | None = typer.Option(None, help="service item code"),
    lang: str = typer.Option("zh-CN", help="zh-CN or en"),
) -> None:
    """Print the commitment form for PROOF and the hash an applicant signs."""
    with reported_errors():
        with database_session() as session:
            shown = commitments.commitment_form(session, proof, service, lang)
        typer.echo(shown.text)
        typer.echo(f"text_hash: {shown.text_hash}")


def _print_checks(rows: list[commitments.AfterCheck], title: str) -> None:
    """One line per check, then why its rate was what it was (plain lines, easy to grep)."""
    typer.echo(title)
    for row in rows:
        typer.echo(
            f"#{row.id} 承诺书 {row.commitment_id} · 证明事项 {row.proof_code} · "
            f"申请人 {row.applicant_id} · 比例 {row.rate_bp / 100:g}% · {row.method.zh} · "
            f"期限 {row.due_at:%Y-%m-%d} · {row.status.zh}"
        )
        typer.echo(f"    依据：{row.rate_reasons}")


@app.command()
def draw(
    seed: str = typer.Option(..., help="the draw's seed; publish it so anyone can re-draw"),
    proof: str | None = typer.Option(None, help="only commitments for this proof item"),
) -> None:
    """Draw after-checks among submitted commitments no draw has considered yet."""
    with reported_errors():
        with database_session() as session:
            drawn = commitments.draw_after_checks(session, proof_code=proof, seed=seed)
        # Printed once committed: what is shown has been recorded.
        _print_checks(drawn, f"抽中 {len(drawn)} 件（seed {seed}）")


@app.command()
def overdue() -> None:
    """List pending after-checks past their due date."""
    with reported_errors():
        with database_session() as session:
            rows = commitments.list_after_checks(session, overdue=True)
        _print_checks(rows, f"逾期未核查 {len(rows)} 件")
