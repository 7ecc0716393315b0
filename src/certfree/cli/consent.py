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
from certfree.cli.i18n import label, t
from certfree.exchange.questions.catalogue import questions_for

app = typer.Typer(
    no_args_is_help=True,
)

_Questions = Annotated[
    list[str] | None,
    typer.Option("--question"),
]


def _line(view: dict[str, object]) -> str:
    questions = view["questions"]
    assert isinstance(questions, list)
    return t(
        "consent.line",
        id=view["id"],
        subject=view["subject_id"],
        service_item=view["service_item"],
        questions=t("list_separator").join(questions),
        consumer=view["consumer"],
        until=view["expires_at"],
        state=label(view["state_zh"], view["state"]),
    )


@app.command()
def preview(
    service_item: str = typer.Argument(...),
    question: _Questions = None,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Print what will be asked about the applicant, to read out before they consent."""
    with database_session() as session:
        shown = governance.preview(
            session, service_item, questions_for(session, service_item, question)
        )
    print_json(shown) if as_json else typer.echo(label(shown["text_zh"], shown["text_en"]))


@app.command()
def give(  # noqa: PLR0917 - one parameter per command-line option
    subject: str = typer.Argument(...),
    service_item: str = typer.Argument(...),
    question: _Questions = None,
    days: int = typer.Option(governance.DEFAULT_CONSENT_DAYS, min=1),
    consumer: str | None = typer.Option(None),
    actor: str | None = typer.Option(None),
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
    print_json(view) if as_json else typer.echo(t("consent.given", line=_line(view)))


@app.command("list")
def list_(
    subject: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List SUBJECT's consents, newest first, with their state."""
    with database_session() as session:
        views = [governance.consent_view(c) for c in governance.list_consents(session, subject)]
    if as_json:
        print_json(views)
        return
    typer.echo(t("consent.count", count=len(views)))
    for view in views:
        typer.echo(_line(view))


@app.command()
def revoke(
    consent_id: str = typer.Argument(...),
) -> None:
    """Withdraw a consent; the node no longer asks questions under it."""
    with database_session() as session:
        view = governance.consent_view(governance.revoke_consent(session, consent_id))
    typer.echo(t("consent.revoked", line=_line(view)))
