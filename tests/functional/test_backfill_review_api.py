"""The backfill manual-review queue over HTTP: the issuing organ lists, approves, rejects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree.certs import run_backfill
from certfree.crypto import KeyStore, parse_sd_jwt
from factories.certificates import ELDERLY_CARD, NOW
from factories.population import person

# Certificates are issued by the demo province's department nodes, registered first.
pytestmark = pytest.mark.usefixtures("demo_registry")

ISSUER_NODE = "370100-WJ"  # 济南市卫生健康委员会, the elderly card's default issuer
HEADER = "姓名,性别,公民身份号码,出生日期,住址,证号,发证单位,有效期起始日期,有效期截止日期"
BORN = dt.date(1950, 3, 15)


@pytest.fixture
def queue(client: TestClient, keys: KeyStore) -> list[str]:
    """Backfill three records: one issued, two sent to review; the reviewed holders' IDs."""
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        people = [person(session, name=f"张{c}", birth=BORN) for c in "一二三"]
        people[2].deceased = True
        numbers = [p.id_number for p in people]
    lines = [HEADER] + [
        f"{name},男,{number},{BORN},济南市历下区泉城路1号,C-{number[-6:]},历下区卫健局,2018-06-01,"
        for name, number in zip(["张一", "李二", "张三"], numbers, strict=True)
    ]
    report = run_backfill(
        node.db, keys, data="\r\n".join(lines).encode("gbk"), filename="old.csv",
        type_code=ELDERLY_CARD, now=NOW,
    )  # fmt: skip
    assert (report.issued, report.review) == (1, 2)
    return numbers[1:]


@pytest.fixture
def admin_for(client: TestClient) -> Callable[..., dict[str, str]]:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]

    def _header(org: str | None = ISSUER_NODE, role: str = "department_admin") -> dict[str, str]:
        token = tokens.issue(role, "reviewer-7", organisation=org)
        return {"Authorization": f"Bearer {token}"}

    return _header


def test_the_issuing_organ_approves_and_rejects(
    client: TestClient, queue: list[str], admin_for: Any
) -> None:
    admin = admin_for()
    pending = client.get("/api/v1/backfill/reviews?status=pending", headers=admin)
    assert pending.status_code == 200, pending.text
    first, second = pending.json()
    assert [first["holder_id"], second["holder_id"]] == queue
    assert first["reason"] == "名称「李二」与库中记录「张二」不一致"
    assert "已死亡" in second["reason"]
    assert client.get(f"/api/v1/backfill/reviews/{first['id']}", headers=admin).json() == first

    approved = client.post(
        f"/api/v1/backfill/reviews/{first['id']}/approve",
        json={"note": "核对纸质档案，系录入笔误"},
        headers=admin,
    )
    assert approved.status_code == 200, approved.text
    decided = approved.json()
    assert (decided["status"], decided["decided_by"]) == ("approved", "reviewer-7")
    certificate = client.get(f"/api/v1/certificates/{decided['certificate_id']}", headers=admin)
    assert certificate.status_code == 200
    assert certificate.json()["holder_id"] == queue[0]
    assert certificate.json()["holder_key_bound"] is False  # the holder claims it later

    no_reason = client.post(
        f"/api/v1/backfill/reviews/{second['id']}/reject", json={"reason": ""}, headers=admin
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["field"] == "reason"
    rejected = client.post(
        f"/api/v1/backfill/reviews/{second['id']}/reject",
        json={"reason": "持证人已死亡，不予补录"},
        headers=admin,
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["decision_note"]) == (
        "rejected",
        "持证人已死亡，不予补录",
    )
    twice = client.post(f"/api/v1/backfill/reviews/{first['id']}/approve", json={}, headers=admin)
    assert twice.status_code == 409
    assert twice.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/backfill/reviews?status=pending", headers=admin).json() == []


def test_another_organ_neither_sees_nor_decides(
    client: TestClient, queue: list[str], admin_for: Any, token_for: Any
) -> None:
    other = admin_for("370000-WJ")
    assert client.get("/api/v1/backfill/reviews", headers=other).json() == []
    first = client.get("/api/v1/backfill/reviews", headers=admin_for()).json()[0]
    denied = client.post(f"/api/v1/backfill/reviews/{first['id']}/approve", json={}, headers=other)
    assert denied.status_code == 403
    assert client.get(f"/api/v1/backfill/reviews/{first['id']}", headers=other).status_code == 403
    no_org = client.get("/api/v1/backfill/reviews", headers=admin_for(None))
    assert no_org.status_code == 403

    bureau = admin_for(None, role="bureau_admin")
    assert [r["holder_id"] for r in client.get("/api/v1/backfill/reviews", headers=bureau).json()]
    assert (
        client.post(
            f"/api/v1/backfill/reviews/{first['id']}/reject", json={"reason": "x"}, headers=bureau
        ).status_code
        == 403
    )
    clerk = client.get("/api/v1/backfill/reviews", headers=token_for("clerk", "desk-1"))
    assert clerk.status_code == 403
    assert client.get("/api/v1/backfill/reviews").status_code == 401
    missing = client.post("/api/v1/backfill/reviews/999/approve", json={}, headers=admin_for())
    assert missing.status_code == 404


def test_an_approved_certificate_is_sealed_without_a_holder_key(
    client: TestClient, queue: list[str], admin_for: Any, token_for: Any
) -> None:
    first = client.get("/api/v1/backfill/reviews", headers=admin_for()).json()[0]
    decided = client.post(
        f"/api/v1/backfill/reviews/{first['id']}/approve", json={}, headers=admin_for()
    ).json()
    mine = client.get("/api/v1/certificates", headers=token_for("applicant", queue[0])).json()
    (row,) = [r for r in mine if r["identifier"] == decided["certificate_id"]]
    assert "cnf" not in parse_sd_jwt(row["credential"]).payload
