"""What ``certfree apply`` prints: an application, the queue, the figures, and the node's
refusal with what to fix. In Chinese by default, in English on request (the node's Chinese
labels, or in English the codes)."""

from __future__ import annotations

from typing import Any

import typer

from certfree.cli.apply_client import Refused
from certfree.cli.common import err_console, print_json
from certfree.cli.i18n import label, t
from certfree.proofs import Way

__all__ = ["print_application", "print_page", "print_problem", "print_stats", "say"]

_HINTS = {f"apply.fix.{status}" for status in (401, 403, 404, 409, 422)}


def say(text: str) -> None:
    """A line for the person at the terminal (on stderr: stdout is the application)."""
    err_console.print(text, highlight=False)


def print_problem(exc: Refused) -> None:
    """The node's refusal (RFC 9457 problem): its detail, the field, and what to do."""
    problem = exc.problem
    say(f"[red]{t('error')}[/red] {problem.get('detail') or problem.get('title') or exc.status}")
    if problem.get("field"):
        say(t("apply.field", field=problem["field"]))
    hint = f"apply.fix.{exc.status}"
    say(t(hint if hint in _HINTS else "apply.fix.other"))


def print_application(view: dict[str, Any], as_json: bool) -> None:
    """The application: as JSON, or in words."""
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


def print_page(page: dict[str, Any], as_json: bool) -> None:
    """One page of the node's queue: a line per application, then the total."""
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


def print_stats(figures: dict[str, Any], as_json: bool) -> None:
    """The figures of the node's applications."""
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
