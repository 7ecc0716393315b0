"""`certfree catalog harvest` as an operator meets it before any node is reachable."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from certfree.cli.catalog_harvest import register
from certfree.settings import Settings
from certfree.storage import Database


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    app.command("noop", hidden=True)(lambda: None)  # a group, so that "harvest" is a command
    return app


def _env(settings: Settings) -> dict[str, str]:
    return {
        "CERTFREE_DATABASE_URL": settings.database_url,
        "CERTFREE_KEY_DIR": str(settings.key_dir),
        "CERTFREE_KEY_PASSPHRASE": settings.key_passphrase,
        "CERTFREE_NODE_CODE": settings.node_code,
    }


def test_harvest_asks_for_nodes_and_needs_registered_ones(settings: Settings, db: Database) -> None:
    runner = CliRunner()

    neither = runner.invoke(_app(), ["harvest"], env=_env(settings))
    empty = runner.invoke(_app(), ["harvest", "--all"], env=_env(settings))
    unknown = runner.invoke(_app(), ["harvest", "--node", "379900"], env=_env(settings))
    status = runner.invoke(_app(), ["harvest", "--status"], env=_env(settings))

    assert neither.exit_code == 1
    assert "--node" in neither.output
    assert empty.exit_code == 1
    assert "没有已批准的市级或部门节点" in empty.output
    assert unknown.exit_code == 1
    assert "379900" in unknown.output
    assert status.exit_code == 0
    assert json.loads(status.stdout) == []
