"""``certfree grants``: sharing grants at a provider node — add, list, revoke, demo."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from certfree import catalog
from certfree.cli.common import actor_name, database_session, print_json, reported_errors
from certfree.demo import load_demo_grants
from certfree.exchange.questions import check_grant_scope, get_question

app = typer.Typer(
    help="共享授权 Sharing grants: which consumer may ask this provider which question, why.",
    no_args_is_help=True,
)


def _line(grant: catalog.Grant) -> str:
    until = grant.valid_to.strftime("%Y-%m-%d") if grant.valid_to else "长期"
    exempt = f" · 免同意：{grant.consent_exempt_basis}" if grant.consent_exempt_basis else ""
    return (
        f"#{grant.id} {grant.consumer_code} → {grant.provider_code} · "
        f"{grant.question or '资源 ' + (grant.resource_code or '')} · "
        f"事项 {grant.service_item} · 数据项 {'、'.join(grant.data_items)} · 至 {until} · "
        f"{grant.status.zh}{exempt}"
    )


@app.command()
def add(  # noqa: PLR0917 - one parameter per command-line option
    consumer: str = typer.Option(..., help="consumer node code, e.g. 370200"),
    provider: str = typer.Option(..., help="provider node code, e.g. 370100-MZ"),
    question: str = typer.Option(..., help="question name, e.g. marital_status"),
    service_item: str = typer.Option(..., help="service item code (the purpose)"),
    purpose: str = typer.Option(..., help="purpose in words"),
    data_item: Annotated[
        list[str] | None,
        typer.Option(help="data item the answers may reveal (repeat); default: the core ones"),
    ] = None,
    valid_days: int | None = typer.Option(None, min=1, help="valid for this many days"),
    exempt_basis: str | None = typer.Option(
        None, help="law that exempts this use from consent, cited"
    ),
    actor: str | None = typer.Option(None, help="who grants (default cli:<login>)"),
    as_json: bool = typer.Option(False, "--json", help="print the grant as JSON"),
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
            )
            shown = catalog.grant_view(grant)
            line = _line(grant)
        print_json(shown) if as_json else typer.echo(f"已授权 {line}")


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
    typer.echo(f"共 {len(lines)} 项授权")
    for line in lines:
        typer.echo(line)


@app.command()
def revoke(
    grant_id: int = typer.Argument(..., help="grant number, as `grants list` shows"),
    reason: str | None = typer.Option(None, help="why"),
    actor: str | None = typer.Option(None, help="who revokes (default cli:<login>)"),
) -> None:
    """Revoke a grant; the provider refuses later questions under it."""
    with database_session() as session:
        grant = catalog.revoke_grant(session, grant_id, revoked_by=actor_name(actor), reason=reason)
        line = _line(grant)
    typer.echo(f"已撤销 {line}")


@app.command()
def demo(
    consumer: Annotated[list[str], typer.Option(help="consumer node code (repeat)")],
    provider: Annotated[list[str], typer.Option(help="provider node code (repeat)")],
    exempt_basis: str | None = typer.Option(None, help="cite a law instead of needing consent"),
) -> None:
    """Grant the demo service items' questions to CONSUMERs at PROVIDERs (idempotent)."""
    with database_session() as session:
        created = load_demo_grants(session, consumer, provider, consent_exempt_basis=exempt_basis)
        count = len(created)
    typer.echo(f"新增演示授权 {count} 项")
