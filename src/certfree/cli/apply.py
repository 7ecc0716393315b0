"""``certfree apply``: an application (办件) from the command line, over the node's HTTP API.

Each command parses, calls ``/api/v1/applications`` at the node and prints the application
(``--json``: as ``GET /api/v1/applications/{id}`` gives it). On a demo node the command line
also plays each party's phone (:mod:`certfree.cli.apply_client`). Exit status: 0 done, 1 the
node refused the act (or could not be reached), 2 a usage error (what to fix is printed).

``certfree applications stats`` prints the figures of the node's applications.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from certfree.cli.apply_client import (
    Node,
    Refused,
    carry_id_cards,
    connect,
    give_consent,
    parties_act,
    refused_requirement,
    store_issued,
)
from certfree.cli.apply_output import print_application, print_page, print_problem, print_stats, say
from certfree.cli.i18n import t
from certfree.errors import CertfreeError, InvalidInput
from certfree.wallet import read_public_jwk

app = typer.Typer(no_args_is_help=True)
stats_app = typer.Typer(no_args_is_help=True)

AppId = Annotated[str, typer.Argument(metavar="APP_ID")]
Url = Annotated[str | None, typer.Option("--url", metavar="NODE")]
ClusterDir = Annotated[Path, typer.Option("--dir")]
Token = Annotated[str | None, typer.Option("--token", envvar="CERTFREE_TOKEN", show_envvar=False)]
AsJson = Annotated[bool, typer.Option("--json")]
CLUSTER = Path("var/cluster")
_At = tuple[str | None, Path, str | None]  # the node: --url, --dir, --token


@contextmanager
def _node(url: str | None, directory: Path, token: str | None) -> Iterator[Node]:
    """The node to call; every failure printed with what to fix, and the exit status."""
    try:
        with connect(url, directory, token) as node:
            yield node
    except Refused as exc:
        print_problem(exc)
        raise typer.Exit(2 if exc.status in {400, 422} else 1) from exc
    except httpx.TransportError as exc:
        say(f"[red]{t('error')}[/red] {t('apply.unreachable', url=url or '', error=exc)}")
        raise typer.Exit(1) from exc
    except InvalidInput as exc:
        say(f"[red]{t('error')}[/red] {exc}")
        raise typer.Exit(2) from exc
    except CertfreeError as exc:
        say(f"[red]{t('error')}[/red] {exc}")
        raise typer.Exit(1) from exc


def _clerk_act(
    app_id: str, path: str, body: dict[str, Any] | None = None, *, at: _At
) -> dict[str, Any]:
    """``POST /applications/{app_id}/{path}`` as a clerk of the node ``at`` names: the
    application after the act."""
    with _node(*at) as node:
        view: dict[str, Any] = node.call(
            "POST", f"/applications/{app_id}/{path}", node.clerk(), body=body
        )
    return view


@app.command()
def start(  # noqa: PLR0917 - one parameter per command-line option
    service: Annotated[str, typer.Argument()],
    applicant: Annotated[str, typer.Option("--applicant", metavar="ID")],
    party: Annotated[list[str] | None, typer.Option("--party", metavar="ROLE=ID")] = None,
    form: Annotated[list[str] | None, typer.Option("--form", metavar="FIELD=VALUE")] = None,
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Start an application for a service item (code or exact name): the plan of how each
    requirement will be met, printed with the application's id. On a demo node each party
    first carries their own e-ID card in their wallet."""
    with _node(url, directory, token) as node:
        # Each role and field once; the node judges the roles and the ID numbers.
        parties = _pairs(party or [], "party")
        stated = {
            name: _number_or_text(value) for name, value in _pairs(form or [], "form").items()
        }
        carry_id_cards(node, service, {"applicant": applicant, **parties})
        body: dict[str, Any] = {"service": service, "applicant": applicant, "parties": parties}
        if stated:
            body["form"] = stated
        view = node.call("POST", "/applications", node.clerk(), body=body)
        for done in node.acted:
            say(done)
    print_application(view, as_json)


def _pairs(given: list[str], option: str) -> dict[str, str]:
    """``KEY=VALUE`` of ``--party`` or ``--form`` as a mapping; InvalidInput (exit 2) names a
    pair without ``=`` and a key given twice (the JSON body has room for one value a key)."""
    pairs: dict[str, str] = {}
    for pair in given:
        key, sep, value = (part.strip() for part in pair.partition("="))
        if not sep or not key or not value:
            raise InvalidInput(t(f"apply.bad_{option}", pair=pair), field=option)
        if key in pairs:
            repeated = t(
                "apply.repeated", option=f"--{option}", name=key, first=pairs[key], second=value
            )
            raise InvalidInput(repeated, field=f"{option}.{key}")
        pairs[key] = value
    return pairs


def _number_or_text(value: str) -> str | int:
    """A form value of digits only is a number (the registered capital in 万元)."""
    return int(value) if value.isascii() and value.isdigit() else value


@app.command()
def consent(  # noqa: PLR0917 - one parameter per command-line option
    app_id: AppId,
    party: Annotated[str, typer.Option("--party", metavar="ID")],
    attestation: Annotated[Path | None, typer.Option("--attestation")] = None,
    holder_key: Annotated[Path | None, typer.Option("--holder-key")] = None,
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """A party consents to what the application asks about them (on a demo node: as that
    party, with the province's attestation and their demo wallet's key)."""
    with _node(url, directory, token) as node:
        attested = _read(attestation) if attestation is not None else None
        jwk = dict(read_public_jwk(holder_key)) if holder_key is not None else None
        view = give_consent(node, app_id, party, attestation=attested, holder_jwk=jwk)
        if view is None:
            say(t("apply.nothing_asked", party=party))
            view = node.application(app_id)
    print_application(view, as_json)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(t("cannot_read", path=path, error=exc), field="attestation") from None


@app.command()
def run(
    app_id: AppId,
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Carry out the plan as a clerk (data-sharing questions, department verifications);
    on a demo node also each party's own acts it waits for (show a certificate, sign a
    commitment)."""
    with _node(url, directory, token) as node:
        view = node.call("POST", f"/applications/{app_id}/run", node.clerk())
        failures = parties_act(node, view) if node.site is not None else []
        if node.site is None:
            say(t("apply.parties_act_themselves"))
        for done in node.acted:
            say(done)
        for position, failure in failures:
            say(f"[red]{t('error')}[/red] {t('apply.act_failed', n=position + 1, error=failure)}")
        view = node.application(app_id)
    print_application(view, as_json)
    if failures:
        raise typer.Exit(1)


@app.command()
def submit(
    app_id: AppId,
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Hand the application in (at the counter): the node seals the receipt."""
    print_application(_clerk_act(app_id, "submit", at=(url, directory, token)), as_json)


@app.command()
def accept(
    app_id: AppId,
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Accept (受理) a submitted application as a clerk: the promised time limit starts."""
    print_application(_clerk_act(app_id, "accept", at=(url, directory, token)), as_json)


@app.command("not-accept")
def not_accept(  # noqa: PLR0917 - one parameter per command-line option
    app_id: AppId,
    reason: Annotated[str, typer.Option("--reason")],
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Refuse to accept (不予受理) a submitted application as a clerk, with the reason the
    applicant is told."""
    body = {"reason": reason}
    print_application(_clerk_act(app_id, "not-accept", body, at=(url, directory, token)), as_json)


@app.command("request-correction")
def request_correction(  # noqa: PLR0917 - one parameter per command-line option
    app_id: AppId,
    reason: Annotated[str, typer.Option("--reason")],
    requirement: Annotated[list[int], typer.Option("--requirement", metavar="N", min=1)],
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Ask for a correction (补正) as a clerk, naming the requirements: the promised time
    limit stops until the applicant submits again."""
    body = {"reason": reason, "requirements": sorted({n - 1 for n in requirement})}
    view = _clerk_act(app_id, "request-correction", body, at=(url, directory, token))
    print_application(view, as_json)


@app.command()
def paper(  # noqa: PLR0917 - one parameter per command-line option
    app_id: AppId,
    requirement: Annotated[int, typer.Option("--requirement", metavar="N", min=1)],
    note: Annotated[str, typer.Option("--note")],
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Record, as a clerk, the paper proof seen for a requirement where the proof-item list
    still allows one."""
    body = {"requirement": requirement - 1, "note": note}
    print_application(_clerk_act(app_id, "paper", body, at=(url, directory, token)), as_json)


@app.command()
def decide(  # noqa: PLR0917 - one parameter per command-line option
    app_id: AppId,
    approve: Annotated[bool, typer.Option("--approve")] = False,
    refuse: Annotated[str | None, typer.Option("--refuse", metavar="REASON")] = None,
    requirement: Annotated[int | None, typer.Option("--requirement", metavar="N", min=1)] = None,
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Decide (办结) as a clerk: approve (every requirement met; the result certificates are
    issued, and on a demo node put into the holders' wallets) or refuse with the reason."""
    with _node(url, directory, token) as node:
        if approve == (refuse is not None):
            raise InvalidInput(t("apply.approve_or_refuse"), field="approve")
        body: dict[str, Any] = {"approve": approve}
        if refuse is not None:
            body["reason"] = refuse
            body["requirement"] = refused_requirement(node, app_id, requirement)
            for said in node.acted:
                say(said)
        view = node.call("POST", f"/applications/{app_id}/decide", node.clerk(), body=body)
        for said in store_issued(node, view):
            say(said)
    print_application(view, as_json)


@app.command()
def withdraw(  # noqa: PLR0917 - one parameter per command-line option
    app_id: AppId,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Withdraw (撤回) the application, as its applicant."""
    with _node(url, directory, token) as node:
        applicant = node.application(app_id)["applicant"] if node.site else ""
        body = {"reason": reason}
        view = node.call(
            "POST", f"/applications/{app_id}/withdraw", node.person(applicant), body=body
        )
    print_application(view, as_json)


@app.command()
def show(
    app_id: AppId,
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Show an application: its state, each requirement with how it was met and the proof,
    the decision, the certificates issued, the proofs not demanded and the trips saved."""
    with _node(url, directory, token) as node:
        view = node.application(app_id)
    print_application(view, as_json)


@app.command("list")
def list_applications(  # noqa: PLR0917 - one parameter per command-line option
    state: Annotated[str | None, typer.Option("--state")] = None,
    overdue: Annotated[bool, typer.Option("--overdue")] = False,
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """The node's queue of applications, newest first (as a clerk of the node)."""
    params: dict[str, Any] = {"overdue": overdue, "limit": 200}
    if state is not None:
        params["state"] = state
    with _node(url, directory, token) as node:
        page = node.call("GET", "/applications", node.clerk(), params=params)
    print_page(page, as_json)


@stats_app.command()
def stats(
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Figures of the node's applications: proofs not demanded by way, trips saved, time from
    submission to decision, overdue."""
    with _node(url, directory, token) as node:
        figures = node.call("GET", "/applications/stats", node.clerk())
    print_stats(figures, as_json)
