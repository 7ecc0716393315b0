"""`certfree certs index` as an operator meets it: what to name, a node that is down reported
with exit 1, the status, the trust list written where asked, and a holder's token pair that
says what to fix."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.certs import TrustList
from certfree.cli import app
from certfree.crypto import KeyStore
from certfree.exchange.protocol.registry import register_node
from certfree.settings import Settings
from certfree.storage import Database
from helpers.cli import node_env

runner = CliRunner()


def test_harvest_names_nodes_and_reports_a_down_one(
    settings: Settings, db: Database, keys: KeyStore, demo_registry: None
) -> None:
    env = node_env(settings)
    with db.session() as session:  # the province itself, and 济南 at an address nobody serves
        own = {"keys": [keys.active(NODE_KEY_OWNER).public_jwk]}
        register_node(session, "370000", jwks=own, endpoint_url="http://127.0.0.1:9", approve=True)
        register_node(session, "370100", jwks=own, endpoint_url="http://127.0.0.1:9", approve=True)

    neither = runner.invoke(app, ["certs", "index", "harvest"], env=env)
    unknown = runner.invoke(app, ["certs", "index", "harvest", "--node", "379900"], env=env)
    harvested = runner.invoke(app, ["certs", "index", "harvest", "--all", "--json"], env=env)
    status = runner.invoke(app, ["certs", "index", "status", "--json"], env=env)

    assert neither.exit_code == 1
    assert "--node" in neither.output
    assert unknown.exit_code == 1
    assert "379900" in unknown.output
    assert harvested.exit_code == 1  # 济南 did not answer; the province's own was taken
    reports = {r["node"]: r for r in json.loads(harvested.stdout)}
    assert reports["370000"]["status"] == "ok"
    assert reports["370100"]["status"] == "unreachable"
    assert "无法连接" in reports["370100"]["reason"]
    states = {s["node"]: s for s in json.loads(status.stdout)}
    assert states["370100"]["last_status"] == "unreachable"
    assert states["370000"]["last_status"] == "ok"


def test_the_trust_list_is_written_signed_with_its_serial(
    settings: Settings, db: Database, keys: KeyStore, tmp_path: Path
) -> None:
    out = tmp_path / "province.jwt"

    written = runner.invoke(app, ["certs", "index", "trust-list", str(out)], env=node_env(settings))

    assert written.exit_code == 0, written.output
    trust = TrustList.load(out, keys.active(NODE_KEY_OWNER).public_jwk)
    assert (trust.publisher, trust.serial) == ("370000", 1)
    assert "序号 1" in written.output


def test_a_node_token_without_its_code_says_what_to_fix(settings: Settings) -> None:
    bad = runner.invoke(
        app,
        ["certs", "index", "wallet", "--province", "http://127.0.0.1:9", "--token", "t",
         "--node-token", "just-a-token"],
        env=node_env(settings),
    )  # fmt: skip

    assert bad.exit_code == 1
    assert "节点代码=令牌" in bad.output
