"""``certfree certs backfill`` and ``certfree certs review`` as a clerk runs them."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from certfree.certs.claims import validity_dates
from certfree.certs.models import Certificate
from certfree.cli import app
from certfree.crypto import parse_sd_jwt
from certfree.population import Sex
from certfree.settings import Settings
from certfree.storage import Database
from factories.certificates import ELDERLY_CARD
from factories.population import absent_resident_id, person
from helpers.cli import node_env

# Certificates are issued by the demo province's department nodes, registered first.
pytestmark = pytest.mark.usefixtures("demo_registry")

runner = CliRunner()
BORN = dt.date(1952, 8, 1)


def _write_file(db: Database, path: Path) -> list[str]:
    with db.session() as session:
        ids = [person(session, name=n, birth=BORN).id_number for n in ("王芳", "刘洋", "陈静")]
        unknown = absent_resident_id(session, birth=BORN, sex=Sex.FEMALE)
    rows = [
        "济南市历下区卫生健康局老年人优待证登记簿（2019年）",
        "姓名,性别,公民身份号码,出生日期,住址,证号,发证单位,有效期起始日期,有效期截止日期",
        f"王芳,女,{ids[0]},{BORN},济南市历下区1号,L-0001,历下区卫健局,2019-05-01,长期",
        f"刘洋,男,{ids[1]},{BORN},济南市历下区2号,L-0002,历下区卫健局,2019-05-02,",
        f"陈静,女,{unknown},{BORN},济南市历下区3号,L-0003,历下区卫健局,2019-05-03,",
        f"陈晶,女,{ids[2]},{BORN},济南市历下区4号,L-0004,历下区卫健局,2019-05-04,",
    ]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    return ids


def test_backfill_reports_rejects_queues_reviews_and_resumes(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "登记簿.csv"
    ids = _write_file(db, source)
    env = node_env(settings)
    first = runner.invoke(
        app, ["certs", "backfill", str(source), "--type", ELDERLY_CARD, "--limit", "1"], env=env
    )
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["complete"] is False
    result = runner.invoke(app, ["certs", "backfill", str(source), "--type", ELDERLY_CARD], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["encoding"] == "gb18030"
    assert (report["skipped"], report["processed"], report["complete"]) == (1, 3, True)
    assert (report["issued"], report["rejected"], report["review"]) == (2, 1, 1)
    assert report["errors"] == [
        {"row": 5, "column": "持证主体代码", "reason": report["errors"][0]["reason"]}
    ]
    assert "人口库中不存在" in report["errors"][0]["reason"]
    with Path(report["reject_file"]).open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle))[1][:2] == ["5", "持证主体代码"]

    listed = runner.invoke(app, ["certs", "review", "list", "--status", "pending"], env=env)
    queue = json.loads(listed.stdout)
    assert [(q["holder_id"], q["reason"]) for q in queue] == [
        (ids[2], "名称「陈晶」与库中记录「陈静」不一致")
    ]
    approved = runner.invoke(
        app, ["certs", "review", "approve", str(queue[0]["id"]), "--note", "曾用名"], env=env
    )
    assert approved.exit_code == 0, approved.output
    assert json.loads(approved.stdout)["status"] == "approved"
    again = runner.invoke(
        app, ["certs", "review", "reject", str(queue[0]["id"]), "--note", "x"], env=env
    )
    assert again.exit_code == 1
    assert "已处理" in again.stderr

    with db.session() as session:
        issued = session.scalars(select(Certificate).order_by(Certificate.id)).all()
        assert sorted(c.holder_id for c in issued) == sorted(ids)
        claims = parse_sd_jwt(issued[0].credential).payload
        dates = validity_dates(claims)
        assert (dates["valid_from"], dates["valid_to"]) == ("2019-05-01", None)
