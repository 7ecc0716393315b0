"""``certfree audit`` against a node served over real HTTP: verify, head, verify-log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from certfree.app import create_app
from certfree.cli import app
from certfree.crypto import KeyStore
from certfree.governance import append_records
from certfree.governance.audit.models import AuditEntry, AuditHead, AuditSubject, AuditSubtree
from certfree.settings import Settings
from certfree.storage import Database
from helpers.cli import node_env
from helpers.livenode import serving
from unit.governance.test_audit_log import ALICE, record

runner = CliRunner()


def _log(db: Database, start: int, stop: int) -> None:
    with db.session() as session:
        append_records(session, [record(n, subjects=(ALICE,)) for n in range(start, stop)])


def _verify(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["audit", "verify", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def live(settings: Settings, db: Database, keys: KeyStore) -> Iterator[str]:
    with serving(create_app(settings)) as url:
        yield url


def test_verify_follows_a_growing_log_and_catches_a_rewrite(
    live: str, db: Database, tmp_path: Path
) -> None:
    state = tmp_path / "heads"
    options = ["--node", "370000", "--url", live, "--state-dir", str(state)]
    _log(db, 0, 5)
    code, out, err = _verify(*options)
    assert code == 0, err
    assert json.loads(out)["tree_size"] == 5
    assert "首次记录该节点的树头（5 条）" in err
    saved = json.loads((state / "370000.json").read_text(encoding="utf-8"))
    assert saved["tree_size"] == 5

    _log(db, 5, 9)
    code, out, err = _verify(*options)
    assert code == 0, err
    assert "与上次树头一致（5 → 9 条，一致性证明已验证）" in err
    code, out, err = _verify(*options)
    assert code == 0, err
    assert "与上次树头相同（9 条）" in err

    # The operator wipes the log and writes a different history, longer than before.
    with db.session() as session:
        for table in (AuditSubject, AuditEntry, AuditSubtree, AuditHead):
            session.execute(delete(table))
    _log(db, 100, 112)
    code, out, err = _verify(*options)
    assert code == 1
    assert "一致性证明算出的旧根哈希与旧树头不符" in err
    assert "请保留两个签名树头作为证据" in err
    assert json.loads((state / "370000.json").read_text(encoding="utf-8"))["tree_size"] == 9


def test_verify_refuses_a_shrunk_log_and_a_wrong_node(
    live: str, db: Database, tmp_path: Path
) -> None:
    state = tmp_path / "heads"
    _log(db, 0, 3)
    assert _verify("--node", "370000", "--url", live, "--state-dir", str(state))[0] == 0
    with db.session() as session:
        session.execute(update(AuditHead).values(tree_size=2))
    code, _, err = _verify("--node", "370000", "--url", live, "--state-dir", str(state))
    assert code == 1
    assert "日志变短：上次 3 条，现在 2 条" in err
    code, _, err = _verify("--node", "370100", "--url", live, "--state-dir", str(state))
    assert code == 1
    assert "上的节点是 '370000'，不是 370100" in err


def test_verify_finds_the_url_in_the_cluster_file(live: str, db: Database, tmp_path: Path) -> None:
    cluster = tmp_path / "cluster.json"
    cluster.write_text(json.dumps({"nodes": {"370000": {"url": live}}}), encoding="utf-8")
    state = ["--state-dir", str(tmp_path / "heads")]
    code, out, err = _verify("--node", "370000", "--cluster-file", str(cluster), *state)
    assert code == 0, err
    assert json.loads(out)["tree_size"] == 0
    code, _, err = _verify("--node", "370100", "--cluster-file", str(cluster), *state)
    assert code == 1
    assert "中没有节点 370100" in err
    code, _, err = _verify("--node", "370000", "--cluster-file", str(tmp_path / "no.json"), *state)
    assert code == 1
    assert "请用 --url 指定节点 370000 的地址" in err


def test_unreachable_node_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = _verify(
        "--node", "370000", "--url", "http://127.0.0.1:9", "--state-dir", str(tmp_path)
    )
    assert code == 1
    assert "无法访问 http://127.0.0.1:9/api/v1/node" in err


def test_local_head_and_full_check(settings: Settings, db: Database, keys: KeyStore) -> None:
    _log(db, 0, 7)
    head = runner.invoke(app, ["audit", "head"], env=node_env(settings))
    assert head.exit_code == 0, head.output
    signed = json.loads(head.stdout)
    assert (signed["node"], signed["tree_size"]) == ("370000", 7)
    check = runner.invoke(app, ["audit", "verify-log"], env=node_env(settings))
    assert check.exit_code == 0, check.output
    assert json.loads(check.stdout) == {
        "tree_size": 7,
        "root_hash": signed["root_hash"],
        "ok": True,
        "faults": [],
    }
    with db.session() as session:
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.leaf_index == 6)
            .values(record=AuditEntry.record + " ")
        )
    broken = runner.invoke(app, ["audit", "verify-log"], env=node_env(settings))
    assert broken.exit_code == 1
    assert "条目 6 的叶哈希与记录内容不符" in broken.stderr


def test_a_url_given_never_reads_a_leftover_cluster(
    live: str, db: Database, keys: KeyStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's cascade section leaves var/cluster/ behind (cluster.json and the pinned
    province keys); a node named by --url is checked on its own, whatever that names."""
    monkeypatch.chdir(tmp_path)
    leftover = Path("var/cluster")
    leftover.mkdir(parents=True)
    (leftover / "cluster.json").write_text(
        json.dumps({"province": "370000", "nodes": {"370000": {"url": "http://127.0.0.1:9"}}}),
        encoding="utf-8",
    )
    (leftover / "province.jwks.json").write_text(json.dumps(keys.jwks("node")), encoding="utf-8")
    _log(db, 0, 4)
    code, out, err = _verify("--node", "370000", "--url", live, "--state-dir", "heads")
    assert code == 0, err
    assert json.loads(out)["tree_size"] == 4
    assert "127.0.0.1:9" not in err
    assert "注册表" not in err  # keys as the node publishes them, not a stale registry
    # Without --url the cluster file is the default, and a stale one is reported as such.
    code, _, err = _verify("--node", "370000", "--state-dir", "heads")
    assert code == 1
    assert "节点 http://127.0.0.1:9 不可用" in err
