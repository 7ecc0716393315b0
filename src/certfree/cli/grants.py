"""``certfree grants``: sharing grants at a provider node — add, approve, list, revoke, demo.

Graded fields (``catalog.grants.grading``): ``--legal-basis`` names the ground; ``--level`` and
``--org`` say at which level the operator approves (default: as the providing department).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from certfree import catalog
from certfree.cli.common import (
    actor_name,
    database_session,
    load_settings,
    print_json,
    reported_errors,
)
from certfree.cli.i18n import label, t
from certfree.demo import load_demo_grants
from certfree.questions import check_grant_scope, get_question

app = typer.Typer(
    no_args_is_help=True,
)


def cli_approver(
    actor: str | None, level: catalog.ApproverLevel | None, org: str | None
) -> catalog.Approver | None:
    """The approver an operator acts as (``--level``, ``--org``); None without ``--level``."""
    if level is None:
        return None
    return catalog.Approver(actor_name(actor), level, org)


def _line(grant: catalog.Grant) -> str:
    until = grant.valid_to.strftime("%Y-%m-%d") if grant.valid_to else t("no_end")
    basis = grant.consent_exempt_basis
    exempt = " · " + t("grants.exempt", basis=basis) if basis else ""
    return t(
        "grants.line",
        id=grant.id,
        consumer=grant.consumer_code,
        provider=grant.provider_code,
        asks=grant.question or t("grants.resource", code=grant.resource_code or ""),
        service_item=grant.service_item,
        items=t("list_separator").join(grant.data_items),
        until=until,
        status=label(grant.status.zh, grant.status.value),
        exempt=exempt,
    )


@app.command()
def add(  # noqa: PLR0917 - one parameter per command-line option
    consumer: str = typer.Option(...),
    provider: str = typer.Option(...),
    question: str = typer.Option(...),
    service_item: str = typer.Option(...),
    purpose: str = typer.Option(...),
    data_item: Annotated[
        list[str] | None,
        typer.Option(),
    ] = None,
    valid_days: int | None = typer.Option(None, min=1),
    exempt_basis: str | None = typer.Option(None),
    legal_basis: str | None = typer.Option(None),
    legal_basis_text: str | None = typer.Option(None),
    level: Annotated[catalog.ApproverLevel | None, typer.Option()] = None,
    org: str | None = typer.Option(None),
    actor: str | None = typer.Option(None),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Grant CONSUMER the QUESTION at PROVIDER for SERVICE_ITEM."""
    with reported_errors():
        items = data_item or list(get_question(question).core_data_items)
        check_grant_scope(question, items)
        now = dt.datetime.now(dt.UTC)
        with database_session() as session:
            grant = catalog.create_grant(
                session,
                consumer=consumer,
                provider=provider,
                question=question,
                service_item=service_item,
                purpose=purpose,
                data_items=items,
                created_by=actor_name(actor),
                valid_from=now,
                valid_to=now + dt.timedelta(days=valid_days) if valid_days else None,
                consent_exempt_basis=exempt_basis,
                legal_basis=legal_basis,
                legal_basis_text=legal_basis_text,
                approver=cli_approver(actor, level, org or provider),
                threshold=load_settings().grant_grade_threshold,
            )
            shown = catalog.grant_view(grant)
            line = _line(grant)
        print_json(shown) if as_json else typer.echo(t("grants.granted", line=line))


@app.command()
def approve(  # noqa: PLR0917 - one parameter per command-line option
    grant_id: int = typer.Argument(...),
    level: Annotated[catalog.ApproverLevel, typer.Option()] = catalog.ApproverLevel.DEPARTMENT,
    org: str | None = typer.Option(None),
    note: str | None = typer.Option(None),
    actor: str | None = typer.Option(None),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Approve a pending grant of graded data at LEVEL (the provider's department by default)."""
    with reported_errors(), database_session() as session:
        grant = catalog.get_grant(session, grant_id)
        by = catalog.Approver(actor_name(actor), level, org or grant.provider_code)
        grant = catalog.approve_question_grant(session, grant_id, by, note=note)
        shown = catalog.grant_view(grant)
        line = _line(grant)
    print_json(shown) if as_json else typer.echo(t("grants.granted", line=line))


@app.command("list")
def list_(
    consumer: str | None = typer.Option(None),
    provider: str | None = typer.Option(None),
    question: str | None = typer.Option(None),
    active_only: bool = typer.Option(False, "--active-only"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List grants, oldest first."""
    with database_session() as session:
        rows = catalog.list_grants(
            session,
            consumer=consumer,
            provider=provider,
            question=question,
            include_revoked=not active_only,
        )
        views = [catalog.grant_view(g) for g in rows]
        lines = [_line(g) for g in rows]
    if as_json:
        print_json(views)
        return
    typer.echo(t("grants.count", count=len(lines)))
    for line in lines:
        typer.echo(line)


@app.command()
def revoke(
    grant_id: int = typer.Argument(...),
    reason: str | None = typer.Option(None),
    actor: str | None = typer.Option(None),
) -> None:
    """Revoke a grant; the provider refuses later questions under it."""
    with database_session() as session:
        grant = catalog.revoke_grant(session, grant_id, revoked_by=actor_name(actor), reason=reason)
        line = _line(grant)
    typer.echo(t("grants.revoked", line=line))


@app.command()
def demo(
    consumer: Annotated[list[str], typer.Option()],
    provider: Annotated[list[str], typer.Option()],
    exempt_basis: str | None = typer.Option(None),
) -> None:
    """Grant the demo service items' questions to CONSUMERs at PROVIDERs (idempotent)."""
    with database_session() as session:
        created = load_demo_grants(session, consumer, provider, consent_exempt_basis=exempt_basis)
        count = len(created)
    typer.echo(t("grants.demo", count=count))
