"""`certfree catalog harvest` as an operator meets it before any node is reachable."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from certfree.cli.catalog_harvest import register
from certfree.settings import Settings
from certfree.storage import Database
from helpers.cli import node_env


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    app.command("noop", hidden=True)(lambda: None)  # a group, so that "harvest" is a command
    return app


def test_harvest_asks_for_nodes_and_needs_registered_ones(settings: Settings, db: Database) -> None:
    runner = CliRunner()

    neither = runner.invoke(_app(), ["harvest"], env=node_env(settings))
    empty = runner.invoke(_app(), ["harvest", "--all"], env=node_env(settings))
    unknown = runner.invoke(_app(), ["harvest", "--node", "379900"], env=node_env(settings))
    status = runner.invoke(_app(), ["harvest", "--status"], env=node_env(settings))

    assert neither.exit_code == 1
    assert "--node" in neither.output
    assert empty.exit_code == 1
    assert "没有已批准的市级或部门节点" in empty.output
    assert unknown.exit_code == 1
    assert "379900" in unknown.output
    assert status.exit_code == 0
    assert json.loads(status.stdout) == []
