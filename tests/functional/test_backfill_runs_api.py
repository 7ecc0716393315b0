"""Backfill runs over HTTP: an organ uploads a file, reads its counts, rejects and report."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from certfree.certs.backfill.models import BackfillJob, BackfillRow
from certfree.certs.models import Certificate
from certfree.identifiers import make_resident_id
from factories.certificates import ELDERLY_CARD
from factories.population import person

# Certificates are issued by the demo province's department nodes, registered first.
pytestmark = pytest.mark.usefixtures("demo_registry")

ISSUER_NODE = "370100-WJ"  # 济南市卫生健康委员会, which issues the elderly card
OTHER_WJ = "370200-WJ"  # 青岛市卫生健康委员会: issues the same type, a stranger to these runs
HEADER = "姓名,性别,公民身份号码,出生日期,住址,证号,发证单位,有效期起始日期,有效期截止日期"
BORN = dt.date(1950, 3, 15)


def _line(name: str, number: str, *, start: str = "2018-06-01", organ: str = "") -> str:
    return (
        f"{name},男,{number},{BORN},济南市历下区泉城路1号,C-{number[-6:]},历下区卫健局,{start},"
        + (f",{organ}" if organ else "")
    )


@pytest.fixture
def admin_for(client: TestClient) -> Callable[..., dict[str, str]]:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]

    def _header(org: str | None = ISSUER_NODE, role: str = "department_admin") -> dict[str, str]:
        token = tokens.issue(role, "backfiller-3", organisation=org)
        return {"Authorization": f"Bearer {token}"}

    return _header


@pytest.fixture
def old_file(client: TestClient) -> bytes:
    """Two good records, one for review, and three the rules reject (a bad check digit, a
    holder the population register lacks, a row naming another organ)."""
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        people = [person(session, name=f"张{c}", birth=BORN) for c in "一二三四"]
        numbers = [p.id_number for p in people]
    bad = numbers[3][:-1] + ("0" if numbers[3][-1] != "0" else "1")
    unknown = make_resident_id("370102", BORN, 997)
    lines = [
        HEADER + ",发证机关代码",
        _line("张一", numbers[0]),  # row 2: issued
        _line("张二", numbers[1]),  # row 3: issued
        _line("李三", numbers[2]),  # row 4: the name differs from the register: review
        _line("张四", bad),  # row 5: rejected, check digit
        _line("赵无名", unknown),  # row 6: rejected, not in the register
        _line("张四", numbers[3], organ=OTHER_WJ),  # row 7: rejected, another organ's record
    ]
    return "\r\n".join(lines).encode("gbk")


def _upload(
    client: TestClient, headers: dict[str, str], data: bytes, type_code: str = ELDERLY_CARD
) -> Any:
    return client.post(
        "/api/v1/backfill/runs",
        files={"file": ("old.csv", data, "text/csv")},
        data={"type_code": type_code},
        headers=headers,
    )


def test_an_organ_runs_a_file_and_reads_its_counts_rejects_and_report(
    client: TestClient, admin_for: Any, old_file: bytes
) -> None:
    admin = admin_for()
    sent = _upload(client, admin, old_file)
    assert sent.status_code == 200, sent.text
    run = sent.json()
    assert (run["filename"], run["type_code"], run["total_rows"]) == ("old.csv", ELDERLY_CARD, 6)
    assert (run["issued"], run["rejected"], run["review"], run["complete"]) == (2, 3, 1, True)
    assert (run["processed"], run["skipped"]) == (6, 0)

    listed = client.get("/api/v1/backfill/runs", headers=admin)
    assert [r["id"] for r in listed.json()] == [run["id"]]

    detail = client.get(f"/api/v1/backfill/runs/{run['id']}?limit=2", headers=admin)
    assert detail.status_code == 200, detail.text
    page = detail.json()
    assert (page["rejected_total"], page["issued"]) == (3, 2)
    assert [r["row"] for r in page["rejected_rows"]] == [5, 6]
    assert page["rejected_rows"][0]["reasons"][0]["column"] == "公民身份号码"
    assert "人口库中不存在" in page["rejected_rows"][1]["reasons"][0]["reason"]
    rest = client.get(f"/api/v1/backfill/runs/{run['id']}?offset=2", headers=admin).json()
    (other,) = rest["rejected_rows"]
    assert other["row"] == 7
    assert other["reasons"] == [
        {"row": 7, "column": "发证机关代码", "reason": other["reasons"][0]["reason"]}
    ]
    assert "不是本机关" in other["reasons"][0]["reason"]

    report = client.get(f"/api/v1/backfill/runs/{run['id']}/rejects.csv", headers=admin)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    assert "attachment" in report.headers["content-disposition"]
    assert report.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[0] == ["行号", "列", "原因"]
    assert [line[0] for line in lines[1:]] == ["5", "6", "7"]

    # The same file again resumes its job: nothing issued twice.
    again = _upload(client, admin, old_file).json()
    assert (again["id"], again["processed"], again["skipped"], again["issued"]) == (
        run["id"], 0, 6, 2,
    )  # fmt: skip
    # The bureau sees every organ's runs.
    bureau = client.get("/api/v1/backfill/runs", headers=admin_for(None, "bureau_admin"))
    assert [r["id"] for r in bureau.json()] == [run["id"]]


def test_a_stranger_organ_neither_lists_nor_reads_the_run(
    client: TestClient, admin_for: Any, old_file: bytes
) -> None:
    run = _upload(client, admin_for(), old_file).json()
    stranger = admin_for(OTHER_WJ)
    assert client.get("/api/v1/backfill/runs", headers=stranger).json() == []
    for path in (
        f"/api/v1/backfill/runs/{run['id']}",
        f"/api/v1/backfill/runs/{run['id']}/rejects.csv",
    ):
        refused = client.get(path, headers=stranger)
        assert refused.status_code == 403, path
        assert refused.headers["content-type"] == "application/problem+json"
    # Nor does it resume the job by sending the same file.
    resumed = _upload(client, stranger, old_file)
    assert resumed.status_code == 409
    assert resumed.json()["field"] == "file"
    assert client.get("/api/v1/backfill/runs/999", headers=admin_for()).status_code == 404


def test_a_type_the_organ_does_not_issue_is_refused_naming_the_field(
    client: TestClient, admin_for: Any, old_file: bytes, db: Any
) -> None:
    civil_affairs = admin_for("370100-MZ")
    refused = _upload(client, civil_affairs, old_file)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == "type_code"
    unknown = _upload(client, admin_for(), old_file, type_code="NO-SUCH-TYPE")
    assert unknown.json()["field"] == "type_code"
    missing = client.post(
        "/api/v1/backfill/runs", files={"file": ("old.csv", old_file, "text/csv")},
        headers=admin_for(),
    )  # fmt: skip
    assert (missing.status_code, missing.json()["field"]) == (422, "type_code")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(BackfillJob)) == 0


@pytest.mark.parametrize(
    "data",
    [b"", "姓名,性别\r\n张一,男\r\n".encode("gbk"), b"\x00\x01\x02 not a table"],
    ids=["empty", "columns-missing", "binary"],
)
def test_a_bad_file_is_a_problem_and_nothing_is_stored(
    client: TestClient, admin_for: Any, data: bytes, db: Any
) -> None:
    refused = _upload(client, admin_for(), data)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == "file"
    with db.session() as session:
        for table in (BackfillJob, BackfillRow, Certificate):
            assert session.scalar(select(func.count()).select_from(table)) == 0, table
