"""``certfree certs``: e-certificate types, issuance, status.

``issue`` prints only the compact credential on stdout (so it can be piped into a file);
messages go to stderr. The database and key store are the node's (CERTFREE_* settings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from certfree import certs
from certfree.cli import certs_backfill, certs_holder, certs_index, certs_verify
from certfree.cli.certs_holder import read_holder_jwk, read_json_file
from certfree.cli.common import (
    database_session,
    err_console,
    load_settings,
    node_keys,
    print_json,
    reported_errors,
)
from certfree.cli.i18n import label, t
from certfree.crypto import Alg, KeyStore
from certfree.errors import InvalidInput

app = typer.Typer(no_args_is_help=True)
certs_verify.register(app)
certs_backfill.register(app)
certs_holder.register(app)
certs_index.register(app)


@contextmanager
def _node() -> Iterator[tuple[Session, KeyStore]]:
    """A session on the node's database and its key store (database errors say the fix)."""
    settings = load_settings()
    with database_session() as session:
        yield session, node_keys(settings)


@app.command()
def types(as_json: bool = typer.Option(False, "--json")) -> None:
    """List the certificate types (GB/T 36902 catalogue)."""
    catalogue = certs.cert_types().values()
    if as_json:
        print_json([kind.to_json() for kind in catalogue])
        return
    for kind in catalogue:
        typer.echo(
            t(
                "certs.type_line",
                code=kind.code,
                name=label(kind.name, kind.name_en),
                holder=label(kind.holder_category.zh, kind.holder_category.value),
                department=label(kind.department.name_zh, kind.department.name_en),
                fields=len(kind.fields),
            )
        )


@app.command()
def template(type_code: str = typer.Option(..., "--type")) -> None:
    """Print an example face-data JSON for a type that `certs issue` accepts as is."""
    with reported_errors():
        kind = certs.cert_type(type_code)
    # On a node with a population register the example holder must be a registered person.
    with database_session() as session:
        face = certs.example_face_for(session, kind)
    with reported_errors():
        print_json(face)
        if kind.holder_field:
            holder = face[kind.holder_field]
            err_console.print(t("certs.holder_code", holder=holder), highlight=False)


def _holder_from_face(type_code: str, face: Any) -> str:
    """The holder code the face data names (the type's holder field), for a missing --holder."""
    field = certs.cert_type(type_code).holder_field
    value = face.get(field) if field and isinstance(face, dict) else None
    if not isinstance(value, str):
        raise InvalidInput(t("certs.holder_needed"), field="holder")
    return value


def _validity(
    valid_from: str | None, valid_to: str | None, permanent: bool
) -> certs.Validity | None:
    if not (valid_from or valid_to or permanent):
        return None
    try:
        start = dt.date.fromisoformat(valid_from) if valid_from else certs.today()
        end = dt.date.fromisoformat(valid_to) if valid_to and not permanent else None
    except ValueError as exc:
        raise InvalidInput(t("certs.bad_validity", error=exc), field="valid_to") from None
    return certs.Validity(start, end)


@app.command()
def issue(  # noqa: PLR0917 - one parameter per command-line option
    type_code: Annotated[str, typer.Option("--type")],
    data: Annotated[Path, typer.Option()],
    holder_key: Annotated[Path, typer.Option()],
    holder: Annotated[
        str | None,
        typer.Option(),
    ] = None,
    issuer: Annotated[str | None, typer.Option()] = None,
    valid_from: Annotated[str | None, typer.Option()] = None,
    valid_to: Annotated[str | None, typer.Option()] = None,
    permanent: Annotated[bool, typer.Option()] = False,
    base_url: Annotated[
        str | None,
        typer.Option(),
    ] = None,
    seal_alg: Annotated[
        Alg | None,
        typer.Option(),
    ] = None,
) -> None:
    """Issue a certificate and print the credential (SD-JWT VC, compact form)."""
    with reported_errors():
        face = read_json_file(data, t("certs.face_file"), "data")
        holder = holder or _holder_from_face(type_code, face)
        jwk = read_holder_jwk(holder_key)
        with _node() as (session, keys):
            issued = certs.issue_certificate(
                session,
                keys,
                type_code=type_code,
                holder_id=holder,
                face_data=face,
                holder_jwk=jwk,
                issuer_uscc=issuer,
                validity=_validity(valid_from, valid_to, permanent),
                base_url=base_url or load_settings().base_url,
                seal_alg=seal_alg,
            )
        err_console.print(t("certs.issued", identifier=issued.identifier), highlight=False)
        typer.echo(issued.credential)


@app.command()
def revoke(
    identifier: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option()],
) -> None:
    """Revoke (注销) a certificate; the next status list fetched shows it as revoked."""
    with database_session() as session:
        row = certs.revoke_certificate(session, identifier, reason)
        why = row.revocation_reason
        shown = label(why.zh, why.value) if why else reason
        typer.echo(t("certs.revoked", identifier=row.identifier, reason=shown))


@app.command()
def suspend(identifier: str = typer.Argument(...)) -> None:
    """Suspend (暂停) a certificate."""
    with database_session() as session:
        row = certs.suspend_certificate(session, identifier)
        typer.echo(t("certs.suspended", identifier=row.identifier))


@app.command()
def resume(identifier: str = typer.Argument(...)) -> None:
    """Resume (恢复) a suspended certificate."""
    with database_session() as session:
        row = certs.resume_certificate(session, identifier)
        typer.echo(t("certs.resumed", identifier=row.identifier))


@app.command()
def replace(
    identifier: Annotated[str, typer.Argument()],
    data: Annotated[Path | None, typer.Option()] = None,
    base_url: Annotated[
        str | None,
        typer.Option(),
    ] = None,
) -> None:
    """Issue the next version (换发) and revoke the old one; prints the new credential."""
    with reported_errors():
        face = read_json_file(data, t("certs.face_file"), "data") if data else None
        with _node() as (session, keys):
            issued = certs.replace_certificate(
                session,
                keys,
                identifier,
                face_data=face,
                base_url=base_url or load_settings().base_url,
            )
        err_console.print(
            t("certs.replaced", identifier=issued.identifier, version=issued.version),
            highlight=False,
        )
        typer.echo(issued.credential)


@app.command("list")
def list_(holder: str = typer.Option(...)) -> None:
    """List a holder's certificates in the base library."""
    with database_session() as session:
        for row in certs.list_certificates(session, holder_id=holder):
            current = certs.effective_status(row)
            typer.echo(
                t(
                    "certs.list_line",
                    identifier=row.identifier,
                    type=row.type_name,
                    version=row.version,
                    status=label(current.zh, current.value),
                )
            )
