"""``certfree ask QUESTION --from NODE [ARG=VALUE ...] --purpose SERVICE_ITEM``: one
verification through the demo cluster (exit 0 answered, 1 refused or unavailable, 2 usage)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import httpx
import typer

from certfree.cli.common import err_console, print_json
from certfree.cli.i18n import t
from certfree.demo import cluster_desk as desk
from certfree.demo.cluster_processes import read_manifest
from certfree.errors import CertfreeError
from certfree.exchange.errors import ProviderUnavailable


def _args(pairs: list[str]) -> dict[str, str]:
    args = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            err_console.print(f"[red]{t('error')}[/red] {t('ask.bad_pair', pair=repr(pair))}")
            raise typer.Exit(2)
        args[name.strip()] = value.strip()
    return args


def ask(
    question: Annotated[str, typer.Argument()],
    pairs: Annotated[list[str] | None, typer.Argument(metavar="[ARG=VALUE]...")] = None,
    *,
    provider: Annotated[str, typer.Option("--from")],
    purpose: Annotated[str, typer.Option()],
    at: Annotated[str | None, typer.Option()] = None,
    directory: Annotated[Path, typer.Option("--dir")] = Path("var/cluster"),
    consent: Annotated[
        bool,
        typer.Option(),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ask one verification question through the cluster and print the signed answer."""
    args = _args(pairs or [])
    try:
        manifest = read_manifest(directory)
        consumer = desk.choose_consumer(manifest, provider, at)
        node = manifest["nodes"][consumer]
        purpose = desk.service_item_code(node, purpose)
        words = desk.service_name(node, purpose)
        attested = (
            desk.consent_attestations(
                manifest,
                consumer,
                question=question,
                args=args,
                service_item=purpose,
                purpose=words,
            )
            if consent
            else {}
        )
        token = desk.clerk_token(node, consumer)
        payload = {
            "question": question,
            "provider": provider,
            "args": args,
            "service_item": purpose,
            "purpose": words,
            "consents": list(attested.values()),
        }
    except ProviderUnavailable as exc:  # the province, asked for the attestations
        err_console.print(f"[red]{t('error')}[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    except CertfreeError as exc:
        err_console.print(f"[red]{t('error')}[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    try:
        response = desk.ask_node(node["url"], token, payload)
    except httpx.HTTPError as exc:
        err_console.print(
            f"[red]{t('error')}[/red] {t('ask.unreachable', consumer=consumer, error=repr(exc))}"
        )
        raise typer.Exit(1) from exc
    body = response.json()
    if attested:
        body = {**body, "consent_recorded_for": list(attested)}
    if as_json:
        print_json(body)
    elif response.status_code == 200:
        typer.echo(
            f"{consumer} → {provider}: {question} = "
            f"{json.dumps(body['answer']['result'], ensure_ascii=False)}\n{body['answer_jws']}"
        )
    else:
        err_console.print(f"[red]{t('ask.refused')}[/red] {body.get('detail')}", highlight=False)
    if response.status_code != 200:
        raise typer.Exit(1)
