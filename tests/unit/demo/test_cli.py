"""``certfree demo`` through Typer's runner, against the database named by the environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certfree.catalog import list_grants
from certfree.cli.demo import app
from certfree.crypto import KeyStore
from certfree.demo.pilot_grants import demo_question_uses
from certfree.nodes import Node, NodeStatus
from certfree.settings import DEV_PASSPHRASE
from certfree.storage import Database
from factories.databases import fresh_database_url

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with fresh_database_url(tmp_path) as url:
        yield {"CERTFREE_DATABASE_URL": url}


def test_init_then_people_as_json(env: dict[str, str]) -> None:
    built = runner.invoke(app, ["init", "--citizens", "1000", "--firms", "50"], env=env)
    assert built.exit_code == 0, built.output
    assert "persons" in built.output
    assert "1,000" in built.output
    assert "6 个试点服务事项" in built.output

    listed = runner.invoke(app, ["people", "--limit", "5", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    people = json.loads(listed.stdout)
    assert len(people) == 5
    for person in people:
        assert person["name"]
        assert len(person["id_number"]) == 18
        assert person["sex"] in {"male", "female"}
        assert person["city"].endswith("市")

    table = runner.invoke(app, ["people", "--limit", "3"], env=env)
    assert table.exit_code == 0
    assert people[0]["id_number"] in table.stdout


def test_second_init_is_refused_with_a_hint(env: dict[str, str]) -> None:
    args = ["init", "--citizens", "1000", "--firms", "10"]
    assert runner.invoke(app, args, env=env).exit_code == 0
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 1
    assert "--reset" in again.stderr
    kept = runner.invoke(app, [*args, "--if-missing"], env=env)
    assert kept.exit_code == 0
    assert "演示省已建成，保留" in kept.stdout
    english = runner.invoke(app, [*args, "--if-missing"], env={**env, "CERTFREE_LANG": "en"})
    assert english.exit_code == 0
    assert "already built" in english.stdout
    assert runner.invoke(app, [*args, "--reset"], env=env).exit_code == 0


def test_bad_size_is_an_error_not_a_traceback(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["init", "--citizens", "10"], env=env)
    assert result.exit_code == 1
    assert "1000" in result.stderr


@pytest.mark.parametrize(("citizens", "firms"), [(1000, "100"), (2000, "200")])
def test_small_demos_build_with_the_default_firms(
    env: dict[str, str], citizens: int, firms: str
) -> None:
    built = runner.invoke(app, ["init", "--citizens", str(citizens)], env=env)
    assert built.exit_code == 0, built.output
    rows = {
        cells[0]: cells[1]
        for line in built.stdout.splitlines()
        if len(cells := [c.strip() for c in line.strip("│ ").split("│")]) == 2
    }
    assert rows["persons"] == f"{citizens:,}"
    assert rows["firms"] == firms


def test_init_grants_this_node_the_demo_questions_at_every_demo_department(
    env: dict[str, str],
) -> None:
    args = ["init", "--citizens", "1000", "--firms", "10"]
    built = runner.invoke(app, args, env=env)
    again = runner.invoke(app, [*args, "--if-missing"], env=env)

    assert built.exit_code == again.exit_code == 0, built.output
    db = Database(env["CERTFREE_DATABASE_URL"])
    try:
        with db.session() as session:
            grants = list_grants(session, consumer="370000")
            granted = {(g.provider_code, g.question, g.service_item) for g in grants}
            province = session.get(Node, "370000")
            assert province is not None
            listed = (province.status, province.endpoint_url, province.jwks)
    finally:
        db.dispose()
    # The province is in its own registry, with the node keys `demo init` made (development):
    # its signing key and the encryption key peers encrypt to (use: enc).
    assert listed == (
        NodeStatus.ACTIVE,
        "http://127.0.0.1:8000",
        KeyStore(Path("var/keys"), DEV_PASSPHRASE).published_jwks("node"),
    )
    assert [key["use"] for key in listed[2]["keys"]] == ["sig", "enc"]
    assert "列入本节点的节点注册表" in built.stdout
    assert "列入" not in again.stdout
    assert f"本节点 370000 向各演示部门节点核验的共享授权：新增 {len(grants)} 条" in built.stdout
    assert "新增 0 条" in again.stdout  # idempotent
    marriage = next(code for code, name, _ in demo_question_uses() if name == "内地居民结婚登记")
    for city in ("370100", "370200", "371700"):
        assert (f"{city}-MZ", "marital_status", marriage) in granted
    assert len(granted) == len(grants)
