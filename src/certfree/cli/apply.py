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
    store_issued,
)
from certfree.cli.common import err_console, print_json
from certfree.cli.i18n import label, t
from certfree.errors import CertfreeError, InvalidInput
from certfree.proofs import Way
from certfree.wallet import read_public_jwk

app = typer.Typer(no_args_is_help=True)
stats_app = typer.Typer(no_args_is_help=True)

AppId = Annotated[str, typer.Argument(metavar="APP_ID")]
Url = Annotated[str | None, typer.Option("--url", metavar="NODE")]
ClusterDir = Annotated[Path, typer.Option("--dir")]
Token = Annotated[str | None, typer.Option("--token", envvar="CERTFREE_TOKEN", show_envvar=False)]
AsJson = Annotated[bool, typer.Option("--json")]
CLUSTER = Path("var/cluster")


@contextmanager
def _node(url: str | None, directory: Path, token: str | None) -> Iterator[Node]:
    """The node to call; every failure printed with what to fix, and the exit status."""
    try:
        with connect(url, directory, token) as node:
            yield node
    except Refused as exc:
        _problem(exc)
        raise typer.Exit(2 if exc.status in {400, 422} else 1) from exc
    except httpx.TransportError as exc:
        err_console.print(
            f"[red]{t('error')}[/red] {t('apply.unreachable', url=url or '', error=exc)}",
            highlight=False,
        )
        raise typer.Exit(1) from exc
    except InvalidInput as exc:
        err_console.print(f"[red]{t('error')}[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    except CertfreeError as exc:
        err_console.print(f"[red]{t('error')}[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc


def _problem(exc: Refused) -> None:
    problem = exc.problem
    err_console.print(
        f"[red]{t('error')}[/red] {problem.get('detail') or problem.get('title') or exc.status}",
        highlight=False,
    )
    if problem.get("field"):
        err_console.print(t("apply.field", field=problem["field"]), highlight=False)
    hint = f"apply.fix.{exc.status}"
    err_console.print(t(hint if hint in _HINTS else "apply.fix.other"), highlight=False)


_HINTS = {f"apply.fix.{status}" for status in (401, 403, 404, 409, 422)}


def _print(view: dict[str, Any], as_json: bool) -> None:
    """The application: as JSON, or in words (the node's Chinese labels, or in English the
    codes)."""
    if as_json:
        print_json(view)
        return
    roles = {p["role"]: label(p["role_zh"], p["role_en"]) for p in view.get("parties") or []}
    typer.echo(
        t(
            "apply.header",
            id=view["id"],
            service=view["service_name"],
            node=view["node"],
            state=label(view["state_zh"], view["state_en"]),
        )
    )
    for party in view.get("parties") or []:
        given = t("apply.consented") if party["consented"] else t("apply.not_consented")
        typer.echo(t("apply.party", role=roles[party["role"]], id=party["id"], consent=given))
    for requirement in view["requirements"]:
        way = requirement.get("way")
        typer.echo(
            t(
                "apply.requirement",
                n=requirement["position"] + 1,
                text=requirement["requirement"],
                who=requirement.get("subject") or roles.get(requirement["party"], ""),
                way=label(requirement.get("way_zh") or "—", way or "—"),
                status=label(requirement["status_zh"], requirement["status"]),
            )
        )
    decision = view.get("decision_record")
    if decision:
        outcome = label(decision["outcome_zh"], decision["outcome"])
        reason = decision.get("reason")
        said = t("apply.decision", outcome=outcome)
        typer.echo(said + (t("apply.reason", reason=reason) if reason else ""))
    for issued in view.get("issued") or []:
        name = label(issued.get("type_name") or issued["type"], issued["type"])
        identifier = issued.get("certificate_id") or ""
        typer.echo(t("apply.issued", name=name, id=identifier, holder=issued.get("holder", "")))
    typer.echo(
        t(
            "apply.figures",
            proofs=view.get("proofs_not_demanded", 0),
            trips=view.get("trips_saved", 0),
        )
    )


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
        parties = dict(_role_and_id(pair) for pair in party or [])
        stated = dict(_form_field(pair) for pair in form or [])
        carry_id_cards(node, service, {"applicant": applicant, **parties})
        body: dict[str, Any] = {"service": service, "applicant": applicant, "parties": parties}
        if stated:
            body["form"] = stated
        view = node.call("POST", "/applications", node.clerk(), body=body)
        for done in node.acted:
            err_console.print(done, highlight=False)
    _print(view, as_json)


def _role_and_id(pair: str) -> tuple[str, str]:
    role, sep, who = pair.partition("=")
    if not sep or not role.strip() or not who.strip():
        raise InvalidInput(t("apply.bad_party", pair=pair), field="party")
    return role.strip(), who.strip()


def _form_field(pair: str) -> tuple[str, str | int]:
    """``FIELD=VALUE`` of the application form; a value of digits only is a number (the
    registered capital in 万元)."""
    name, sep, value = pair.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise InvalidInput(t("apply.bad_form", pair=pair), field="form")
    text = value.strip()
    return name.strip(), int(text) if text.isascii() and text.isdigit() else text


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
            err_console.print(t("apply.nothing_asked", party=party), highlight=False)
            view = node.application(app_id)
    _print(view, as_json)


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
            err_console.print(t("apply.parties_act_themselves"), highlight=False)
        for done in node.acted:
            err_console.print(done, highlight=False)
        for position, failure in failures:
            err_console.print(
                f"[red]{t('error')}[/red] {t('apply.act_failed', n=position + 1, error=failure)}",
                highlight=False,
            )
        view = node.application(app_id)
    _print(view, as_json)
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
    with _node(url, directory, token) as node:
        view = node.call("POST", f"/applications/{app_id}/submit", node.clerk())
    _print(view, as_json)


@app.command()
def accept(
    app_id: AppId,
    as_json: AsJson = False,
    url: Url = None,
    directory: ClusterDir = CLUSTER,
    token: Token = None,
) -> None:
    """Accept (受理) a submitted application as a clerk: the promised time limit starts."""
    with _node(url, directory, token) as node:
        view = node.call("POST", f"/applications/{app_id}/accept", node.clerk())
    _print(view, as_json)


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
            body["requirement"] = _refused_requirement(node, app_id, requirement)
        view = node.call("POST", f"/applications/{app_id}/decide", node.clerk(), body=body)
        for said in store_issued(node, view):
            err_console.print(said, highlight=False)
    _print(view, as_json)


def _refused_requirement(node: Node, app_id: str, given: int | None) -> int:
    """The requirement a refusal cites (from 0): the one given (from 1), else the first not
    met, which is said."""
    if given is not None:
        return given - 1
    view = node.application(app_id)
    unmet = [r for r in view["requirements"] if r["status"] != "met"]
    if not unmet:
        raise InvalidInput(t("apply.all_met"), field="requirement")
    first = unmet[0]
    err_console.print(
        t("apply.citing", n=first["position"] + 1, text=first["requirement"]), highlight=False
    )
    return int(first["position"])


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
    _print(view, as_json)


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
    _print(view, as_json)


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
    if as_json:
        print_json(page)
        return
    for view in page["items"]:
        typer.echo(
            t(
                "apply.line",
                id=view["id"],
                service=view["service_name"],
                applicant=view["applicant"],
                state=label(view["state_zh"], view["state_en"]),
                overdue=t("apply.overdue") if view.get("overdue") else "",
            )
        )
    typer.echo(t("apply.total", total=page["total"]))


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
    if as_json:
        print_json(figures)
        return
    typer.echo(
        t(
            "apply.stats",
            applications=figures["applications"],
            approved=figures["approved"],
            refused=figures["refused"],
            proofs=figures["proofs_not_demanded"],
            trips=figures["trips_saved"],
            overdue=figures["overdue"],
        )
    )
    for way, count in figures["proofs_not_demanded_by_way"].items():
        typer.echo(t("apply.stats_way", way=label(Way(way).label_zh, way), count=count))
    median = figures["seconds_to_decision"]["median"]
    if median is not None:
        typer.echo(t("apply.stats_time", seconds=round(median)))
