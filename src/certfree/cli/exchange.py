"""`certfree exchange` commands: department verification (部门核验) at this node, and the
province's node registry under ``certfree exchange nodes`` (:mod:`certfree.cli.exchange_nodes`).

They act on the node named by the CERTFREE_* settings (its database and keys) and send
through the exchange like the node's own API does. ``deliver-pending`` is what to run from
cron: nothing retries in the background.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer

from certfree import applications
from certfree.assembly import exchange_runtime
from certfree.cli import exchange_nodes
from certfree.cli.common import actor_name, load_settings, node_keys, print_json, reported_errors
from certfree.cli.i18n import label, t
from certfree.exchange.verification import delivery
from certfree.exchange.verification import requests as domain
from certfree.exchange.verification.requests import (
    DeptVerification,
    VerificationSide,
    VerificationStatus,
)
from certfree.settings import Settings
from certfree.storage import Database, utcnow

app = typer.Typer(
    no_args_is_help=True,
)

_T = TypeVar("_T")
_Json = Annotated[bool, typer.Option("--json")]
_Actor = Annotated[str | None, typer.Option("--as")]


def _view(row: DeptVerification, now: dt.datetime) -> dict[str, Any]:
    current = domain.effective_status(row, now)
    return {
        "request_id": row.request_id,
        "side": row.side.value,
        "consumer": row.consumer_code,
        "department": row.department_code,
        "subject_id": row.subject_id,
        "fact": row.fact,
        "supporting": row.supporting,
        "service_item": row.service_item,
        "purpose": row.purpose,
        "requested_by": row.requested_by,
        "deadline": row.deadline.isoformat(),
        "deadline_beijing": f"{row.deadline.astimezone(domain.BEIJING):%Y-%m-%d %H:%M}",
        "status": current.value,
        "outcome": row.outcome.value if row.outcome else None,
        "note": row.note,
        "answered_by": row.answered_by,
        "delivery": row.delivery.value,
        "last_delivery_error": row.last_delivery_error,
    }


def _line(row: dict[str, Any]) -> str:
    current = VerificationStatus(row["status"])
    status = label(current.zh, current.value)
    outcome = f" {row['outcome']}" if row["outcome"] else ""
    peer = row["department"] if row["side"] == "outbox" else row["consumer"]
    queued = " " + t("exchange.queued") if row["delivery"] == "queued" else ""
    return t(
        "exchange.line",
        id=row["request_id"],
        status=f"{status}{outcome}",
        deadline=row["deadline_beijing"],
        peer=peer,
        subject=row["subject_id"],
        fact=row["fact"],
        queued=queued,
    )


def _print(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(_line(row))
    if not rows:
        typer.echo(t("none"))


class _Node:
    """The node named by the settings: its database, and an exchange runtime when sending."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.code = settings.node_code
        self.db = Database(settings.database_url)

    def run(self, work: Callable[[Any], _T]) -> _T:
        with self.db.session() as session:
            return work(session)

    def send(self, work: Callable[[delivery.Sender], Awaitable[_T]]) -> _T:
        """Run ``work`` with a sender over this node's exchange runtime, started for it."""

        async def run() -> _T:
            keys = node_keys(self.settings)
            runtime = exchange_runtime(self.settings, self.db, keys)
            await runtime.start()
            try:
                return await work(delivery.transport_sender(runtime))
            finally:
                await runtime.stop()

        return asyncio.run(run())

    def change(self, work: Callable[[Any], DeptVerification], as_json: bool) -> None:
        """Commit ``work``'s change to one request, send the message it owes, print it.

        Committed before the runtime starts: if sending fails, the message stays queued.
        """
        row = self.run(work)
        self.send(lambda sender: delivery.deliver(self.db, sender, row.request_id, row.side))
        shown = self.run(
            lambda s: _view(
                domain.get_request(s, row.request_id, node=self.code, side=row.side), utcnow()
            )
        )
        _print([shown], as_json)


@contextmanager
def _node() -> Iterator[_Node]:
    """This node for one command; certfree errors become a message and exit status 1."""
    with reported_errors():
        node = _Node(load_settings())
        try:
            yield node
        finally:
            node.db.dispose()


@app.command("verify-request")
def verify_request(  # noqa: PLR0917 - typer maps each option to a parameter
    department: Annotated[str, typer.Option()],
    subject: Annotated[str, typer.Option()],
    fact: Annotated[str, typer.Option()],
    service_item: Annotated[str, typer.Option()],
    purpose: Annotated[str, typer.Option()],
    field: Annotated[list[str] | None, typer.Option()] = None,
    working_days: Annotated[int | None, typer.Option()] = None,
    actor: _Actor = None,
    as_json: _Json = False,
) -> None:
    """Ask a department to verify a fact; sent now, or queued if it cannot be reached."""
    supporting: dict[str, str] = {}
    for pair in field or []:
        name, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(t("exchange.bad_field", pair=repr(pair)), param_hint="--field")
        supporting[name.strip()] = value.strip()
    with _node() as node:
        node.change(
            lambda s: domain.create_request(
                s,
                consumer=node.code,
                department=department,
                subject_id=subject,
                fact=fact,
                supporting=supporting,
                service_item=service_item,
                purpose=purpose,
                requested_by=actor_name(actor),
                working_days=working_days,
            ),
            as_json,
        )


def _list(
    side: VerificationSide, wanted: VerificationStatus | None, overdue: bool, as_json: bool
) -> None:
    now = utcnow()
    with _node() as node:
        rows = node.run(
            lambda s: [
                _view(row, now)
                for row in domain.list_requests(
                    s, side=side, node=node.code, status=wanted, overdue_only=overdue, now=now
                )
            ]
        )
    _print(rows, as_json)


_Status = Annotated[VerificationStatus | None, typer.Option(show_default=False)]
_Overdue = Annotated[bool, typer.Option("--overdue")]


@app.command()
def inbox(status: _Status = None, overdue: _Overdue = False, as_json: _Json = False) -> None:
    """Requests this department node must answer, earliest deadline first."""
    _list(VerificationSide.INBOX, status, overdue, as_json)


@app.command()
def outbox(status: _Status = None, overdue: _Overdue = False, as_json: _Json = False) -> None:
    """Requests this node sent, earliest deadline first."""
    _list(VerificationSide.OUTBOX, status, overdue, as_json)


@app.command()
def show(
    request_id: Annotated[str, typer.Argument()],
    side: Annotated[VerificationSide | None, typer.Option(show_default=False)] = None,
) -> None:
    """One request as this node sees it (its outbox copy if it sent it), as JSON."""
    with _node() as node:
        shown = node.run(
            lambda s: _view(domain.get_request(s, request_id, node=node.code, side=side), utcnow())
        )
    print_json(shown)


@app.command()
def answer(
    request_id: Annotated[str, typer.Argument()],
    outcome: Annotated[str, typer.Option()],
    note: Annotated[str | None, typer.Option()] = None,
    actor: _Actor = None,
    as_json: _Json = False,
) -> None:
    """Answer a request in this department's inbox; the answer is sent to the desk."""
    with _node() as node:
        node.change(
            lambda s: domain.answer_request(
                s,
                request_id,
                department=node.code,
                outcome=outcome,
                note=note,
                answered_by=actor_name(actor),
            ),
            as_json,
        )


@app.command()
def withdraw(
    request_id: Annotated[str, typer.Argument()],
    actor: _Actor = None,
    as_json: _Json = False,
) -> None:
    """Withdraw a pending request this node sent; the department is told."""
    with _node() as node:
        node.change(
            lambda s: domain.withdraw(
                s, request_id, consumer=node.code, withdrawn_by=actor_name(actor)
            ),
            as_json,
        )


@app.command("deliver-pending")
def deliver_pending(as_json: _Json = False) -> None:
    """Send every request, answer, withdrawal and register notice this node still owes (run it
    from cron).

    Exit status 1 if any delivery failed (its error is printed and it stays queued).
    """
    with _node() as node:

        async def owed(sender: delivery.Sender) -> list[delivery.Delivery]:
            sent = await delivery.deliver_pending(node.db, sender, node=node.code)
            notices = await applications.deliver_pending_notices(node.db, sender, node=node.code)
            return [*sent, *notices]

        results = node.send(owed)
    rows = [
        {
            "request_id": r.request_id,
            "type": r.type,
            "to": r.to,
            "delivered": r.delivered,
            "error": r.error,
        }
        for r in results
    ]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            mark = (
                t("exchange.delivered")
                if row["delivered"]
                else t("exchange.undelivered", error=row["error"])
            )
            typer.echo(f"{row['request_id']}  {row['type']} → {row['to']}  {mark}")
        delivered = sum(r.delivered for r in results)
        typer.echo(t("exchange.delivered_count", delivered=delivered, total=len(results)))
    if any(not r.delivered for r in results):
        raise typer.Exit(1)


# The province's node registry, along which the exchange routes: `certfree exchange nodes …`.
app.add_typer(exchange_nodes.app, name="nodes")
