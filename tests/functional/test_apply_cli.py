"""``certfree apply`` against the single node `make run` serves, as a real process: the demo
province built by `demo init`, served with CERTFREE_HOSTED_DEPARTMENTS=*. The command line is
the desk's clerk and, on this demo node, each party's phone (their wallets under
``<keys>/../wallets``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import exists, or_, select
from typer.testing import CliRunner

from certfree.cli import app
from certfree.population import Marriage, Person, Sex
from certfree.storage import Database
from factories.databases import fresh_database_url
from helpers.livenode import free_port
from helpers.serving import CERTFREE, served_node

pytestmark = pytest.mark.slow  # a demo province to build and a node process to start
ELDERLY_CARD = "11100000000013709K001"
MARRIAGE_CERTIFICATE = "111000000000132071001"
runner = CliRunner()


def _setup(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(  # noqa: S603 - our own command with fixed arguments
        [*CERTFREE, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"certfree {' '.join(args)}:\n{done.stderr}"


@pytest.fixture(scope="module")
def node_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The served demo node's settings, which the command line reads too (its URL is the
    settings' base URL, so `apply` needs no --url)."""
    directory = tmp_path_factory.mktemp("node")
    with fresh_database_url(directory) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFREE_")}
        env.update(
            CERTFREE_DATABASE_URL=url,
            CERTFREE_KEY_DIR=str(directory / "keys"),
            CERTFREE_KEY_SCRYPT_N=os.environ.get("CERTFREE_KEY_SCRYPT_N", "16"),
            CERTFREE_HOSTED_DEPARTMENTS="*",
            CERTFREE_PORT=str(free_port()),
        )
        _setup(env, "db", "upgrade")
        _setup(env, "demo", "init", "--citizens", "1000", "--firms", "10", "--if-missing")
        with served_node(env, int(env["CERTFREE_PORT"]), directory / "serve.log"):
            yield env


def apply(env: dict[str, str], *args: str, code: int = 0) -> Any:
    """``certfree apply ARGS``; the printed application when ``--json`` is among them."""
    done = runner.invoke(app, ["apply", *args], env=env)
    assert done.exit_code == code, f"apply {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return json.loads(done.stdout) if "--json" in args and code == 0 else done


def _wallet(env: dict[str, str], person: str) -> set[str]:
    """The certificate types in ``person``'s demo wallet (as `certfree wallet list` shows)."""
    directory = Path(env["CERTFREE_KEY_DIR"]).parent / "wallets" / person
    listed = runner.invoke(app, ["wallet", "list", "--wallet", str(directory), "--json"])
    assert listed.exit_code == 0, listed.stderr
    return {credential["vct"] for credential in json.loads(listed.stdout)}


def _people(env: dict[str, str], *, born: tuple[dt.date, dt.date], unmarried: bool) -> list[Person]:
    """Living demo people of 济南 born in ``born`` (never married, if ``unmarried``)."""
    db = Database(env["CERTFREE_DATABASE_URL"])
    try:
        with db.session() as session:
            query = select(Person).where(
                Person.deceased.is_(False),
                Person.birth_date.between(*born),
                Person.address_code.startswith("3701"),
            )
            if unmarried:
                query = query.where(
                    ~exists().where(
                        or_(Marriage.party_a_id == Person.id_number,
                            Marriage.party_b_id == Person.id_number)
                    )
                )  # fmt: skip
            return list(session.scalars(query.order_by(Person.id_number).limit(50)))
    finally:
        db.dispose()


def test_the_elderly_card_is_issued_without_a_paper_proof(node_env: dict[str, str]) -> None:
    today = dt.date.today()
    elder = _people(node_env, born=(dt.date(1930, 1, 1), today.replace(year=today.year - 61)),
                    unmarried=False)[0].id_number  # fmt: skip

    started = apply(node_env, "start", "老年人优待证办理", "--applicant", elder, "--json")

    app_id = started["id"]
    assert started["state"] == "draft"
    assert started["requirements"], started
    for requirement in started["requirements"]:
        assert {"requirement", "party", "way", "status"} <= requirement.keys()
        assert requirement["party"] == "applicant"
    # Nothing is established yet: approving now is refused, and the command says why.
    refused = apply(node_env, "decide", app_id, "--approve", code=1)
    assert "草稿" in refused.stderr
    # Usage errors exit 2 and name what to fix.
    both = apply(node_env, "decide", app_id, "--approve", "--refuse", "不符合", code=2)
    assert "--approve" in both.stderr

    apply(node_env, "consent", app_id, "--party", elder)
    ran = apply(node_env, "run", app_id, "--json")
    assert [r["status"] for r in ran["requirements"]] == ["met"] * len(ran["requirements"])
    apply(node_env, "submit", app_id)
    apply(node_env, "decide", app_id, "--approve", "--json")

    shown = apply(node_env, "show", app_id, "--json")
    assert shown["state"] == "decided"
    assert shown["decision"] == "approved"
    assert shown["decision_record"]["outcome_zh"] == "准予办理"
    for evidence in shown["evidence"]:
        assert evidence["way"] in {"data_sharing", "e_certificate", "commitment", "cancelled"}
        assert evidence["proof"], evidence
    assert [(c["type"], c["holder"]) for c in shown["issued"]] == [(ELDERLY_CARD, elder)]
    assert shown["proofs_not_demanded"] == len(shown["requirements"]) > 0
    assert shown["trips_saved"] >= 1
    # The card is in the elder's wallet the same minute, ready to be shown.
    assert ELDERLY_CARD in _wallet(node_env, elder)
    # The node's API gives the same object.
    clerk = runner.invoke(
        app, ["tokens", "issue", "--role", "clerk", "--subject", "t", "--organisation", "370000"],
        env=node_env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{node_env['CERTFREE_PORT']}/api/v1/applications/{app_id}"
    same = httpx.get(url, headers={"Authorization": f"Bearer {clerk.stdout.strip()}"}).json()
    assert same == shown
    # In words, in Chinese by default and in English on request.
    assert "已办结" in apply(node_env, "show", app_id).stdout
    english = runner.invoke(app, ["--lang", "en", "apply", "show", app_id], env=node_env)
    assert "decided" in english.stdout
    figures = json.loads(
        runner.invoke(app, ["applications", "stats", "--json"], env=node_env).stdout
    )
    assert figures["approved"] >= 1
    assert figures["proofs_not_demanded"] >= len(shown["requirements"])


def test_a_marriage_is_registered_with_both_parties(node_env: dict[str, str]) -> None:
    today = dt.date.today()
    young = (today.replace(year=today.year - 40), today.replace(year=today.year - 25))
    singles = _people(node_env, born=young, unmarried=True)
    groom = next(p.id_number for p in singles if p.sex is Sex.MALE)
    bride = next(p.id_number for p in singles if p.sex is Sex.FEMALE)

    started = apply(
        node_env,
        *("start", "内地居民结婚登记", "--applicant", groom, "--party", f"spouse={bride}"),
        "--json",
    )

    app_id = started["id"]
    assert {r["party"] for r in started["requirements"]} == {"applicant", "spouse"}
    spouse = [r for r in started["requirements"] if r["party"] == "spouse"]
    assert {r.get("subject") for r in spouse} == {bride}
    for person in (groom, bride):
        apply(node_env, "consent", app_id, "--party", person)
    ran = apply(node_env, "run", app_id, "--json")
    assert [r["status"] for r in ran["requirements"]] == ["met"] * len(ran["requirements"])
    apply(node_env, "submit", app_id)
    decided = apply(node_env, "decide", app_id, "--approve", "--json")

    assert decided["state"] == "decided"
    issued = sorted((c["type"], c["holder"]) for c in decided["issued"])
    assert issued == sorted([(MARRIAGE_CERTIFICATE, groom), (MARRIAGE_CERTIFICATE, bride)])
    assert MARRIAGE_CERTIFICATE in _wallet(node_env, groom)
    assert MARRIAGE_CERTIFICATE in _wallet(node_env, bride)


def test_a_clerk_asks_for_a_correction_and_refuses_at_intake(node_env: dict[str, str]) -> None:
    today = dt.date.today()
    elders = [p.id_number for p in _people(
        node_env, born=(dt.date(1930, 1, 1), today.replace(year=today.year - 61)), unmarried=False
    )]  # fmt: skip
    # A role or a form field given twice is a usage error naming it; nothing is started.
    before = apply(node_env, "list", "--json")["total"]
    twice = apply(
        node_env,
        *("start", "内地居民结婚登记", "--applicant", elders[1]),
        *("--party", f"spouse={elders[2]}", "--party", f"spouse={elders[3]}"),
        code=2,
    )
    assert "--party spouse" in twice.stderr
    assert elders[2] in twice.stderr
    assert elders[3] in twice.stderr
    form = ("--form", "relation=本人", "--form", "relation=子女")
    again = apply(node_env, "start", "老年人优待证办理", "--applicant", elders[1], *form, code=2)
    assert "--form relation" in again.stderr
    assert apply(node_env, "list", "--json")["total"] == before

    corrected, refused = (_submitted(node_env, elder) for elder in elders[1:3])

    # 补正: the clerk names the requirement; the applicant hands it in again.
    apply(node_env, "accept", corrected)
    asked = apply(
        node_env,
        *("request-correction", corrected, "--reason", "请补正户口簿首页"),
        *("--requirement", "1", "--json"),
    )
    assert asked["state"] == "correction_requested"
    no_paper = apply(
        node_env, "paper", corrected, "--requirement", "1", "--note", "户口簿原件", code=2
    )
    assert "纸质" in no_paper.stderr
    assert apply(node_env, "submit", corrected, "--json")["state"] == "verifying"

    # 不予受理: with the reason the applicant is told; the act is not done twice.
    apply(node_env, "not-accept", refused, code=2)  # the reason is required
    intake = apply(node_env, "not-accept", refused, "--reason", "不属于本机关受理范围", "--json")
    assert intake["state"] == "not_accepted"
    twice_refused = apply(node_env, "not-accept", refused, "--reason", "重复", code=1)
    assert "不予受理" in twice_refused.stderr
    english = runner.invoke(app, ["--lang", "en", "apply", "show", refused], env=node_env)
    assert "state: not accepted" in english.stdout


def _submitted(env: dict[str, str], elder: str) -> str:
    """The id of an elderly card application of ``elder``, every requirement met, handed in."""
    app_id = str(apply(env, "start", "老年人优待证办理", "--applicant", elder, "--json")["id"])
    apply(env, "consent", app_id, "--party", elder)
    apply(env, "run", app_id)
    assert apply(env, "submit", app_id, "--json")["state"] == "submitted"
    return app_id
