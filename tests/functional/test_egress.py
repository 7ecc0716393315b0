"""Important data and sensitive personal information leaving the node are counted with the
answer's audit entry and reported to the bureau (API, CLI), a CIO seeing their own region.

The answers are real exchange answers: the province hosting 济南市民政局 (370100-MZ) answers
``marital_status`` (class sensitive.family: sensitive personal information) for itself."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from certfree.app import create_app
from certfree.catalog import create_grant
from certfree.cli import app as cli
from certfree.governance.audit.models import AuditEntry
from certfree.governance.egress import EgressRecord, egress_report, record_egress
from certfree.settings import Settings
from certfree.storage import Database
from factories.population import married_couple

PROVINCE, MZ = "370000", "370100-MZ"
SERVICE = "370000-000201-001"
EXEMPT = "《婚姻登记条例》第五条（示例，测试用）"


@pytest.fixture
def husband(db: Database, demo_registry: None) -> str:
    with db.session() as session:
        man, _, _ = married_couple(session)
        create_grant(
            session,
            consumer=PROVINCE,
            provider=MZ,
            question="marital_status",
            service_item=SERVICE,
            purpose="测试用途",
            data_items=("marital_status",),
            created_by="test",
            consent_exempt_basis=EXEMPT,
        )
        return man.id_number


@pytest.fixture
def node(settings: Settings, keys: object, husband: str) -> Iterator[TestClient]:
    hosting = Settings(**{**settings.model_dump(), "hosted_departments": "*"})
    with TestClient(create_app(hosting)) as client:
        yield client


def token(client: TestClient, role: str, org: str | None = None) -> dict[str, str]:
    node = client.app.state.node  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {node.tokens.issue(role, f'{role}-1', organisation=org)}"}


def ask(client: TestClient, id_number: str, service_item: str = SERVICE) -> Any:
    return client.post(
        "/api/v1/exchange/ask",
        headers=token(client, "clerk", PROVINCE),
        json={
            "question": "marital_status",
            "provider": MZ,
            "args": {"id_number": id_number},
            "service_item": service_item,
            "purpose": "结婚登记",
        },
    )


def test_each_answer_carrying_sensitive_data_is_counted_with_its_audit_entry(
    node: TestClient, husband: str, db: Database
) -> None:
    assert ask(node, husband).status_code == 200
    assert ask(node, husband).status_code == 200
    refused = ask(node, husband, service_item="370000-000999-001")  # not granted: nothing leaves
    assert refused.status_code == 403

    report = node.get("/api/v1/governance/egress", headers=token(node, "bureau_admin")).json()
    assert report["totals"] == {"important_records": 0, "sensitive_records": 2, "answers": 2}
    (line,) = report["lines"]
    assert {k: line[k] for k in ("provider", "recipient", "question", "field", "records")} == {
        "provider": MZ,
        "recipient": PROVINCE,
        "question": "marital_status",
        "field": "marital_status",
        "records": 2,
    }
    assert (line["data_class"], line["sensitive"], line["purpose"]) == (
        "sensitive.family", True, "结婚登记",
    )  # fmt: skip
    # Each count names the message whose answer the audit log holds (same transaction).
    with db.session() as session:
        answered = set(
            session.scalars(select(AuditEntry.message_id).where(AuditEntry.kind == "answer_sent"))
        )
        counted = set(session.scalars(select(EgressRecord.message_id)))
    assert len(counted) == 2
    assert counted <= answered


def test_a_cio_sees_their_own_region_only(node: TestClient, husband: str) -> None:
    assert ask(node, husband).status_code == 200
    path = "/api/v1/governance/egress"
    jinan = node.get(path, headers=token(node, "cio", "370100")).json()
    assert jinan["region"] == "370100"
    assert len(jinan["lines"]) == 1
    qingdao = node.get(path, headers=token(node, "cio", "370200")).json()
    assert qingdao["lines"] == []
    prying = node.get(path, params={"region": "370100"}, headers=token(node, "cio", "370200"))
    assert prying.status_code == 403
    assert node.get(path, headers=token(node, "department_admin", MZ)).status_code == 403
    assert node.get(path, headers=token(node, "cio")).status_code == 403  # no region
    bad = node.get(path, params={"region": "37"}, headers=token(node, "bureau_admin"))
    assert (bad.status_code, bad.json()["field"]) == (422, "region")


def test_the_cli_prints_the_report(
    node: TestClient, husband: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ask(node, husband).status_code == 200
    monkeypatch.setenv("CERTFREE_DATABASE_URL", settings.database_url)
    shown = CliRunner().invoke(cli, ["governance", "egress", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["totals"]["sensitive_records"] == 1
    table = CliRunner().invoke(cli, ["governance", "egress"])
    assert "敏感个人信息 1 条" in table.output
    wrong = CliRunner().invoke(cli, ["governance", "egress", "--since", "yesterday"])
    assert wrong.exit_code == 1
    assert "YYYY-MM-DD" in wrong.output


def test_important_data_is_counted_apart_from_sensitive_personal_information(
    db: Database,
) -> None:
    class Field:
        def __init__(self, name: str, data_class: str, grade: int, sensitive: bool) -> None:
            self.name, self.data_class, self.grade, self.sensitive = (
                name, data_class, grade, sensitive,
            )  # fmt: skip

    at = dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 8th in Beijing
    fields = [
        Field("人口统计汇总", "important", 5, False),
        Field("公民身份号码", "sensitive.identity", 3, True),
        Field("姓名", "personal.name", 2, False),  # neither: not counted
    ]
    with Session(db.engine) as session:
        rows = record_egress(
            session, provider="370100-GA", recipient="370200-MZ", fields=fields, records=120,
            purpose="人口统计", at=at, resource_code="101/000001",
        )  # fmt: skip
        session.flush()
        assert [row.field for row in rows] == ["人口统计汇总", "公民身份号码"]
        report = egress_report(session, since=dt.date(2026, 12, 8))
        assert report["totals"]["important_records"] == 120
        assert report["totals"]["sensitive_records"] == 120
        assert {line["day"] for line in report["lines"]} == {"2026-12-08"}
        assert egress_report(session, until=dt.date(2026, 12, 7))["lines"] == []
        session.rollback()
