"""The ``certfree`` command: thin wrappers that build settings, call a domain, print.

Help and messages are in Simplified Chinese, or English with ``--lang en`` (see
:mod:`certfree.cli.i18n`)."""

from __future__ import annotations

import typer

from certfree.cli import (
    apply,
    ask,
    audit,
    catalog,
    certs,
    cluster,
    commitments,
    consent,
    db,
    demo,
    exchange,
    governance,
    grants,
    keys,
    procedures,
    proofs,
    relying_parties,
    serve,
    tokens,
    wallet,
)
from certfree.cli.i18n import LocalizedGroup, language_option
from certfree.governance import install_log_masking

__all__ = ["app", "main"]

app = typer.Typer(
    name="certfree",
    cls=LocalizedGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.callback()(language_option)
app.command("serve")(serve.serve)
app.add_typer(db.app, name="db")
app.add_typer(keys.app, name="keys")
app.add_typer(demo.app, name="demo")
app.add_typer(tokens.app, name="tokens")
app.add_typer(proofs.app, name="proofs")
app.add_typer(procedures.app, name="procedures")
app.add_typer(commitments.app, name="commitments")
app.add_typer(certs.app, name="certs")
app.add_typer(wallet.app, name="wallet")
app.add_typer(cluster.app, name="cluster")
app.command("ask")(ask.ask)
app.add_typer(exchange.app, name="exchange")
app.add_typer(grants.app, name="grants")
app.add_typer(consent.app, name="consent")
app.add_typer(audit.app, name="audit")
app.add_typer(governance.app, name="governance")
app.add_typer(relying_parties.app, name="relying-parties")
app.add_typer(catalog.app, name="catalog")
app.add_typer(apply.app, name="apply")
app.add_typer(apply.stats_app, name="applications")


def main() -> None:
    install_log_masking()  # a command's log lines carry no raw ID number, as a node's do
    app()
