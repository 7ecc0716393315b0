"""`certfree exchange` commands: department verification (部门核验) at this node, and the
province's node registry under ``certfree exchange nodes`` (:mod:`certfree.cli.exchange_nodes`).

They act on the node named by the CERTFREE_* settings (its database and keys) and send
through the exchange like the node's own API does. ``deliver-pending`` is what to run from
cron: nothing retries in the background.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from certfree.cli import exchange_nodes
from certfree.cli.common import actor_name, load_settings, print_json, reported_errors
from certfree.crypto import KeyStore
from certfree.exchange import verification as domain
from certfree.exchange import verification_delivery as delivery
from certfree.exchange.runtime import ExchangeRuntime
from certfree.exchange.verification_models import (
    DeptVerification,
    VerificationSide,
    VerificationStatus,
)
from certfree.settings import Settings
from certfree.storage import Database, utcnow

app = typer.Typer(
    help="exchange at this node: 部门核验 department verification; `nodes`: the registry",
    no_args_is_help=True,
)

_T = TypeVar("_T")
_Json = Annotated[bool, typer.Option("--json", help="print JSON")]
_Actor = Annotated[str | None, typer.Option("--as", help="who acts (default cli:<login>)")]


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
    status = VerificationStatus(row["status"]).zh
    outcome = f" {row['outcome']}" if row["outcome"] else ""
    peer = row["department"] if row["side"] == "outbox" else row["consumer"]
    queued = " [待投递]" if row["delivery"] == "queued" else ""
    return (
        f"{row['request_id']}  {status}{outcome}  截止 {row['deadline_beijing']}  {peer}  "
        f"{row['subject_id']}  {row['fact']}{queued}"
    )


def _print(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(_line(row))
    if not rows:
        typer.echo("（无）")


class _Node:
    """The node named by the settings: its database, and an exchange runtime when sending."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.code = settings.node_code
        self.db = Database(settings.database_url)

    def run(self, work: Callable[[Any], _T]) -> _T:
        with self.db.session() as session:
            return work(session)

    def deliver(self, request_id: str | None, side: VerificationSide) -> list[delivery.Delivery]:
        """Send what ``request_id`` owes (or, if None, everything queued at this node)."""

        async def send() -> list[delivery.Delivery]:
            keys = KeyStore(self.settings.key_dir, self.settings.key_passphrase)
            runtime = ExchangeRuntime(self.settings, self.db, keys)
            await runtime.start()
            try:
                sender = delivery.transport_sender(runtime)
                if request_id is None:
                    return await delivery.deliver_pending(self.db, sender, node=self.code)
                one = await delivery.deliver(self.db, sender, request_id, side)
                return [one] if one is not None else []
            finally:
                await runtime.stop()

        return asyncio.run(send())

    def show(self, request_id: str, side: VerificationSide) -> dict[str, Any]:
        return self.run(
            lambda s: _view(domain.get_request(s, request_id, node=self.code, side=side), utcnow())
        )

    def close(self) -> None:
        self.db.dispose()


def _node() -> _Node:
    return _Node(load_settings())


@app.command("verify-request")
def verify_request(  # noqa: PLR0917 - typer maps each option to a parameter
    department: Annotated[str, typer.Option(help="department node code, e.g. 370100-RS")],
    subject: Annotated[str, typer.Option(help="ID number or USCC the fact is about")],
    fact: Annotated[str, typer.Option(help="the fact to verify, in plain words")],
    service_item: Annotated[str, typer.Option(help="service item (政务服务事项) code")],
    purpose: Annotated[str, typer.Option(help="what the answer is used for")],
    field: Annotated[
        list[str] | None, typer.Option(help="supporting field NAME=VALUE (repeatable)")
    ] = None,
    working_days: Annotated[int | None, typer.Option(help="deadline in working days (3)")] = None,
    actor: _Actor = None,
    as_json: _Json = False,
) -> None:
    """Ask a department to verify a fact; sent now, or queued if it cannot be reached."""
    supporting: dict[str, str] = {}
    for pair in field or []:
        name, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r} should be NAME=VALUE", param_hint="--field")
        supporting[name.strip()] = value.strip()
    with reported_errors():
        node = _node()
        try:
            row = node.run(
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
                )
            )
            node.deliver(row.request_id, VerificationSide.OUTBOX)
            _print([node.show(row.request_id, VerificationSide.OUTBOX)], as_json)
        finally:
            node.close()


def _list(
    side: VerificationSide, wanted: VerificationStatus | None, overdue: bool, as_json: bool
) -> None:
    with reported_errors():
        node = _node()
        try:
            now = utcnow()
            rows = node.run(
                lambda s: [
                    _view(row, now)
                    for row in domain.list_requests(
                        s, side=side, node=node.code, status=wanted, overdue_only=overdue, now=now
                    )
                ]
            )
            _print(rows, as_json)
        finally:
            node.close()


_Status = Annotated[VerificationStatus | None, typer.Option(show_default=False)]
_Overdue = Annotated[bool, typer.Option("--overdue", help="only pending past the deadline")]


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
    request_id: Annotated[str, typer.Argument(help="request id")],
    side: Annotated[VerificationSide | None, typer.Option(show_default=False)] = None,
) -> None:
    """One request as this node sees it (its outbox copy if it sent it), as JSON."""
    with reported_errors():
        node = _node()
        try:
            print_json(
                node.run(
                    lambda s: _view(
                        domain.get_request(s, request_id, node=node.code, side=side), utcnow()
                    )
                )
            )
        finally:
            node.close()


@app.command()
def answer(
    request_id: Annotated[str, typer.Argument(help="request id from `exchange inbox`")],
    outcome: Annotated[str, typer.Option(help="confirmed, not_confirmed or cannot_determine")],
    note: Annotated[str | None, typer.Option(help="why (required unless confirmed)")] = None,
    actor: _Actor = None,
    as_json: _Json = False,
) -> None:
    """Answer a request in this department's inbox; the answer is sent to the desk."""
    with reported_errors():
        node = _node()
        try:
            node.run(
                lambda s: domain.answer_request(
                    s,
                    request_id,
                    department=node.code,
                    outcome=outcome,
                    note=note,
                    answered_by=actor_name(actor),
                )
            )
            node.deliver(request_id, VerificationSide.INBOX)
            _print([node.show(request_id, VerificationSide.INBOX)], as_json)
        finally:
            node.close()


@app.command()
def withdraw(
    request_id: Annotated[str, typer.Argument(help="request id from `exchange outbox`")],
    actor: _Actor = None,
    as_json: _Json = False,
) -> None:
    """Withdraw a pending request this node sent; the department is told."""
    with reported_errors():
        node = _node()
        try:
            node.run(
                lambda s: domain.withdraw(
                    s, request_id, consumer=node.code, withdrawn_by=actor_name(actor)
                )
            )
            node.deliver(request_id, VerificationSide.OUTBOX)
            _print([node.show(request_id, VerificationSide.OUTBOX)], as_json)
        finally:
            node.close()


@app.command("deliver-pending")
def deliver_pending(as_json: _Json = False) -> None:
    """Send every request, answer and withdrawal this node still owes (run it from cron).

    Exit status 1 if any delivery failed (its error is printed and it stays queued).
    """
    with reported_errors():
        node = _node()
        try:
            results = node.deliver(None, VerificationSide.OUTBOX)
        finally:
            node.close()
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
            mark = "已送达" if row["delivered"] else f"未送达：{row['error']}"
            typer.echo(f"{row['request_id']}  {row['type']} → {row['to']}  {mark}")
        typer.echo(f"{sum(r.delivered for r in results)}/{len(results)} 已送达")
    if any(not r.delivered for r in results):
        raise typer.Exit(1)


# The province's node registry (issue 5, exchange core): `certfree exchange nodes …`.
app.add_typer(exchange_nodes.app, name="nodes")
