"""``certfree consent``: an applicant's consent at the desk — preview, give, list, revoke."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from certfree import governance
from certfree.cli.common import (
    actor_name,
    database_session,
    load_settings,
    print_json,
)
from certfree.exchange.questions import questions_for

app = typer.Typer(
    help="个人同意 Consent of applicants to data-sharing verification (desk use).",
    no_args_is_help=True,
)

_Questions = Annotated[
    list[str] | None,
    typer.Option("--question", help="question name (repeat); default: all of the item's"),
]


def _line(view: dict[str, object]) -> str:
    questions = view["questions"]
    assert isinstance(questions, list)
    return (
        f"{view['id']} · {view['subject_id']} · 事项 {view['service_item']} · "
        f"问题 {'、'.join(questions)} · 使用方 {view['consumer']} · "
        f"至 {view['expires_at']} · {view['state_zh']}"
    )


@app.command()
def preview(
    service_item: str = typer.Argument(..., help="service item code"),
    question: _Questions = None,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Print what will be asked about the applicant, to read out before they consent."""
    with database_session() as session:
        shown = governance.preview(
            session, service_item, questions_for(session, service_item, question)
        )
    print_json(shown) if as_json else typer.echo(shown["text_zh"])


@app.command()
def give(  # noqa: PLR0917 - one parameter per command-line option
    subject: str = typer.Argument(..., help="applicant's resident ID number"),
    service_item: str = typer.Argument(..., help="service item code"),
    question: _Questions = None,
    days: int = typer.Option(governance.DEFAULT_CONSENT_DAYS, min=1, help="valid for days"),
    consumer: str | None = typer.Option(None, help="asking node (default: this node)"),
    actor: str | None = typer.Option(None, help="clerk recording it (default cli:<login>)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record SUBJECT's consent to the questions of SERVICE_ITEM, given at the desk."""
    asking = consumer or load_settings().node_code
    with database_session() as session:
        consent = governance.give(
            session,
            subject_id=subject,
            consumer=asking,
            service_item=service_item,
            questions=questions_for(session, service_item, question),
            recorded_by=actor_name(actor),
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=days),
        )
        view = governance.consent_view(consent)
    print_json(view) if as_json else typer.echo(f"已记录同意 {_line(view)}")


@app.command("list")
def list_(
    subject: str = typer.Argument(..., help="applicant's resident ID number"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List SUBJECT's consents, newest first, with their state."""
    with database_session() as session:
        views = [governance.consent_view(c) for c in governance.list_consents(session, subject)]
    if as_json:
        print_json(views)
        return
    typer.echo(f"共 {len(views)} 项同意")
    for view in views:
        typer.echo(_line(view))


@app.command()
def revoke(
    consent_id: str = typer.Argument(..., help="consent id, as `consent list` shows"),
) -> None:
    """Withdraw a consent; the node no longer asks questions under it."""
    with database_session() as session:
        view = governance.consent_view(governance.revoke_consent(session, consent_id))
    typer.echo(f"已撤回 {_line(view)}")
