"""``certfree commitments`` through Typer's runner, on the database named by the environment."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from certfree import commitments
from certfree.cli.commitments import app
from certfree.commitments import PlanSettings
from certfree.crypto import KeyStore
from certfree.storage import Database
from factories.commitments import proof_item, submitted

runner = CliRunner()


def test_form_in_chinese_and_english(db: Database, database_url: str) -> None:
    with db.session() as session:
        code = proof_item(session, name="居住证明", fact="申请人在本市居住满半年").code
    env = {"CERTFREE_DATABASE_URL": database_url}
    zh = runner.invoke(app, ["form", code, "--service", "GA-01"], env=env)
    assert zh.exit_code == 0, zh.output
    assert "告知承诺书" in zh.stdout
    assert "六、配合核查的义务" in zh.stdout
    assert "text_hash: sm3:" in zh.stdout
    en = runner.invoke(app, ["form", code, "--lang", "en"], env=env)
    assert "6. The applicant's duty to cooperate" in en.stdout

    missing = runner.invoke(app, ["form", "NO-SUCH"], env=env)
    assert missing.exit_code == 1
    assert "NO-SUCH" in missing.stderr


def test_draw_then_overdue(db: Database, database_url: str, keys: KeyStore) -> None:
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    with db.session() as session:
        code = proof_item(session).code
        commitments.set_sampling_plan(
            session, code, PlanSettings(base_rate=1, due_days=7), actor="d"
        )
        row = submitted(session, keys, code, now=long_ago)
    env = {"CERTFREE_DATABASE_URL": database_url}
    drawn = runner.invoke(app, ["draw", "--seed", "2024-Q2"], env=env)
    assert drawn.exit_code == 0, drawn.output
    assert "抽中 1 件" in drawn.stdout
    assert row.applicant_id in drawn.stdout
    with db.session() as session:
        [check] = commitments.list_after_checks(session)
        check.due_at = long_ago  # a check nobody did in time
    late = runner.invoke(app, ["overdue"], env=env)
    assert late.exit_code == 0, late.output
    assert "逾期未核查 1 件" in late.stdout

    empty = runner.invoke(app, ["draw", "--seed", " "], env=env)
    assert empty.exit_code == 1
    assert "seed" in empty.stderr
