"""``certfree certs claim`` and ``certfree certs uses``: the holder's side at the service desk.

``claim`` is the clerk's counterpart of ``POST /api/v1/me/certificates/{id}/claim``: the
applicant shows their ID card in person, the clerk types its number (``--holder``) and binds
the public key the applicant's wallet printed (``certfree wallet keygen``) to a backfilled
certificate. The new credential goes to stdout, so it can be piped into ``wallet add``.

``uses`` prints the certificate-use log (用证记录) of a holder, times in Beijing time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from certfree import certs
from certfree.cli.common import (
    database_session,
    err_console,
    load_settings,
    node_keys,
    print_json,
    reported_errors,
)
from certfree.cli.i18n import headings, label, t
from certfree.errors import InvalidInput


def read_json_file(path: Path, what: str, field: str) -> Any:
    """The JSON in ``path``; InvalidInput naming ``field`` (the option) when it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(
            t("cannot_read_what", what=what, path=path, error=exc.strerror), field=field
        ) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(t("not_json", what=what, path=path, error=exc), field=field) from None


def read_holder_jwk(path: Path) -> Any:
    """The holder's public JWK in ``path`` (``wallet keygen`` output, or a one-key JWK Set)."""
    jwk = read_json_file(path, t("certs.holder_key_file"), "holder-key")
    if isinstance(jwk, dict) and isinstance(jwk.get("keys"), list) and jwk["keys"]:
        jwk = jwk["keys"][0]  # a JWK Set with one key
    return jwk


def claim(
    identifier: Annotated[str, typer.Argument()],
    holder_key: Annotated[Path, typer.Option()],
    holder: Annotated[str, typer.Option()],
    base_url: Annotated[
        str | None,
        typer.Option(),
    ] = None,
) -> None:
    """Bind a holder's public key to their backfilled certificate; prints the new credential."""
    with reported_errors():
        jwk = read_holder_jwk(holder_key)
        settings = load_settings()
        keys = node_keys(settings)
        with database_session() as session:
            issued = certs.claim_certificate(
                session,
                keys,
                identifier,
                jwk,
                holder_id=holder,
                base_url=base_url or settings.base_url,
            )
        err_console.print(
            t(
                "certs.claimed",
                identifier=issued.identifier,
                version=issued.version,
                old=identifier,
            ),
            highlight=False,
        )
        typer.echo(issued.credential)


def uses(
    holder: Annotated[str, typer.Option()],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The certificate-use log (用证记录): who verified which certificate when (Beijing time)."""
    with reported_errors(), database_session() as session:
        records = [certs.use_json(use) for use in certs.uses_of_holder(session, holder)]
    if as_json:
        print_json(records)
        return
    if not records:
        typer.echo(t("certs.no_uses", holder=holder))
        return
    table = Table(*headings("certs.uses.headings"))
    for record in records:
        who = record["verifier"]
        if record["verifier_org"]:
            who = t("certs.uses.verifier", org=record["verifier_org"], who=who)
        separator = t("list_separator")
        reasons = separator.join(record["reasons"])
        outcome = (
            t("certs.uses.valid") if record["valid"] else t("certs.uses.invalid", reasons=reasons)
        )
        table.add_row(
            record["used_at"][:19].replace("T", " "),
            record["type_name"],
            record["certificate_id"],
            who,
            label(record["channel_zh"], record["channel"]),
            separator.join(record["disclosed_labels"]) or t("certs.uses.nothing_disclosed"),
            outcome,
        )
    Console(width=240).print(table)


def register(app: typer.Typer) -> None:
    app.command()(claim)
    app.command()(uses)
