"""``certfree certs backfill``: import paper-era certificate records (补齐历史数据).

``backfill FILE --type CODE`` prints the report as JSON on stdout and writes the rejected rows
to ``FILE.rejects.csv`` beside the input; the progress bar goes to stderr. Exit status 0 when
every row is decided (rejections included), 1 on an error. ``certs review list|approve|reject``
works the manual-review queue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from certfree.certs import (
    DEFAULT_BATCH,
    ReviewStatus,
    approve_review,
    list_reviews,
    reject_csv,
    reject_review,
    review_json,
    run_backfill,
)
from certfree.cli.common import (
    actor_name,
    database_session,
    err_console,
    load_settings,
    node_database,
    node_keys,
    print_json,
    reported_errors,
)
from certfree.cli.i18n import t
from certfree.errors import InvalidInput

review_app = typer.Typer(no_args_is_help=True)


def backfill(  # noqa: PLR0917 - one parameter per command-line option
    file: Annotated[Path, typer.Argument()],
    type_code: Annotated[str, typer.Option("--type")],
    issuer: Annotated[str | None, typer.Option()] = None,
    batch_size: Annotated[int, typer.Option()] = DEFAULT_BATCH,
    limit: Annotated[int | None, typer.Option()] = None,
    base_url: Annotated[
        str | None,
        typer.Option(),
    ] = None,
) -> None:
    """Inspect FILE's records and issue sealed certificates; re-run to resume."""
    with reported_errors():
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(
                t("cannot_read", path=file, error=exc.strerror), field="file"
            ) from None
    keys = node_keys()
    with (
        node_database() as db,
        Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=err_console, transient=True,
        ) as bar,
    ):  # fmt: skip
        task = bar.add_task(t("certs.backfill.task"), total=None)
        # run_backfill commits a batch at a time, so it takes the database, not a session.
        report = run_backfill(
            db, keys, data=data, filename=file.name, type_code=type_code, issuer=issuer,
            batch_size=batch_size, limit=limit, base_url=base_url or load_settings().base_url,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )  # fmt: skip
    rejects = file.with_name(file.name + ".rejects.csv")
    rejects.write_text(reject_csv(report.errors), encoding="utf-8")
    print_json({**report.as_json(), "reject_file": str(rejects)})
    err_console.print(
        t(
            "certs.backfill.done",
            issued=report.issued,
            rejected=report.rejected,
            review=report.review,
        )
        + ("" if report.complete else t("certs.backfill.incomplete")),
        highlight=False,
    )


@review_app.command("list")
def review_list(
    status: Annotated[str | None, typer.Option()] = None,
) -> None:
    """List the manual-review queue as JSON."""
    with reported_errors():
        wanted = _status(status)
    with database_session() as session:
        print_json([review_json(item) for item in list_reviews(session, wanted)])


def _status(text: str | None) -> ReviewStatus | None:
    if text is None:
        return None
    try:
        return ReviewStatus(text)
    except ValueError:
        choices = ", ".join(s.value for s in ReviewStatus)
        raise InvalidInput(
            t("unknown_status", value=text, choices=choices), field="status"
        ) from None


@review_app.command("approve")
def review_approve(
    review_id: Annotated[int, typer.Argument()],
    note: Annotated[str | None, typer.Option()] = None,
    actor: Annotated[str | None, typer.Option()] = None,
    base_url: Annotated[
        str | None,
        typer.Option(),
    ] = None,
) -> None:
    """Approve a queued record: its certificate is issued."""
    keys = node_keys()
    with database_session() as session:
        item = approve_review(
            session,
            keys,
            review_id,
            actor=actor_name(actor),
            note=note,
            base_url=base_url or load_settings().base_url,
        )
        print_json(review_json(item))


@review_app.command("reject")
def review_reject(
    review_id: Annotated[int, typer.Argument()],
    note: Annotated[str, typer.Option()],
    actor: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Reject a queued record: no certificate is issued."""
    with database_session() as session:
        print_json(
            review_json(reject_review(session, review_id, actor=actor_name(actor), note=note))
        )


def register(app: typer.Typer) -> None:
    """Add the backfill commands to the ``certs`` command group."""
    app.command()(backfill)
    app.add_typer(review_app, name="review")
