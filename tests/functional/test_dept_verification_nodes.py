"""Department verification between real nodes: a desk in 青岛 (370200) asks 济南市人社局
(370100-RS) through the province and 济南 (370100); four apps served by uvicorn on loopback,
each with its own database and keys."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from certfree.exchange.protocol.registry import registry_payload, snapshot_from_payload
from certfree.exchange.protocol.signing import open_message
from certfree.governance.audit.models import AuditEntry
from helpers.cascade import Nodes, running_nodes

PROVINCE, CITY, DESK, RS = "370000", "370100", "370200", "370100-RS"
LEVELS = {PROVINCE: "province", CITY: "city", DESK: "city", RS: "department"}
PARENTS = {CITY: PROVINCE, DESK: PROVINCE, RS: CITY}
SUBJECT = "370102198503141234"
ITEM = "371A0101000000-370100000000-000-113701000100000206-1-00"


class Cluster(Nodes):
    """The running nodes, with the calls and looks these tests make."""

    def call(
        self,
        code: str,
        method: str,
        path: str,
        *,
        role: str = "clerk",
        subject: str = "staff-1",
        organisation: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One API call to node ``code`` as a ``role`` token of that node."""
        tokens = self.apps[code].state.node.tokens
        token = tokens.issue(role, subject, organisation=organisation)
        with self.client(code) as client:
            return client.request(
                method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs
            )

    def audit(self, code: str) -> list[str]:
        with self.dbs[code].session() as session:
            rows = session.scalars(select(AuditEntry).order_by(AuditEntry.leaf_index))
            return [row.kind for row in rows]

    @contextmanager
    def stopped(self, code: str) -> Iterator[None]:
        """Node ``code`` refuses connections inside the block."""
        self.down(code)
        try:
            yield
        finally:
            self.up(code)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One cluster for the module (four migrated databases take seconds); tests tell their
    own requests apart by id and bring every node they take down back up."""
    with running_nodes(tmp_path_factory.mktemp("cluster"), LEVELS, PARENTS) as nodes:
        yield Cluster(nodes.apps, nodes.dbs, nodes.keys, nodes.servers)


def _request(cluster: Cluster, **overrides: Any) -> httpx.Response:
    body = {
        "department": RS,
        "subject_id": SUBJECT,
        "fact": "该申请人2019年起在本单位连续参保",
        "supporting": {"参保单位": "济南某某科技有限公司"},
        "service_item": ITEM,
        "purpose": "人才引进落户审核",
    } | overrides
    return cluster.call(DESK, "POST", "/api/v1/dept-verifications", json=body)


def _listed(cluster: Cluster, code: str, ids: set[str], **params: Any) -> list[dict[str, Any]]:
    """Rows of ``code``'s list (``side``, ``status``, ``overdue``) among this test's ``ids``."""
    response = cluster.call(code, "GET", "/api/v1/dept-verifications", params=params)
    assert response.status_code == 200, response.text
    return [row for row in response.json() if row["request_id"] in ids]


def _inbox(cluster: Cluster, *ids: str, **params: Any) -> list[dict[str, Any]]:
    return _listed(cluster, RS, set(ids), side="inbox", **params)


def _registry(cluster: Cluster) -> Any:
    with cluster.dbs[PROVINCE].session() as session:
        return snapshot_from_payload(registry_payload(session, PROVINCE))


def test_desk_asks_a_department_of_another_city_and_gets_a_signed_answer(
    cluster: Cluster,
) -> None:
    created = _request(cluster)
    assert created.status_code == 201, created.text
    sent = created.json()
    assert (sent["side"], sent["status"], sent["delivery"]) == ("outbox", "pending", "delivered")
    assert sent["requested_by"] == "staff-1"
    request_id = sent["request_id"]

    inbox = _inbox(cluster, request_id)
    assert [(r["request_id"], r["consumer"], r["status"]) for r in inbox] == [
        (request_id, DESK, "pending")
    ]
    assert inbox[0]["fact"] == "该申请人2019年起在本单位连续参保"
    assert inbox[0]["supporting"] == {"参保单位": "济南某某科技有限公司"}
    assert inbox[0]["deadline"] == sent["deadline"]

    answered = cluster.call(
        RS,
        "POST",
        f"/api/v1/dept-verifications/{request_id}/answer",
        role="department_admin",
        subject="rs-admin-3",
        json={"outcome": "confirmed", "note": "2019-01 至今连续缴费"},
    )
    assert answered.status_code == 200, answered.text
    assert (answered.json()["status"], answered.json()["delivery"]) == ("answered", "delivered")

    seen = cluster.call(DESK, "GET", f"/api/v1/dept-verifications/{request_id}").json()
    assert (seen["side"], seen["status"], seen["outcome"]) == ("outbox", "answered", "confirmed")
    assert (seen["outcome_zh"], seen["answered_by"]) == ("属实", "rs-admin-3")
    assert seen["note"] == "2019-01 至今连续缴费"
    # The desk can prove what the department told it: the answer is RS's own signature.
    with cluster.dbs[DESK].session() as session:
        from certfree.exchange.verification.models import DeptVerification  # noqa: PLC0415

        row = session.scalars(select(DeptVerification)).one()
        signed = open_message(
            row.received_jws or "",
            _registry(cluster),
            decrypt=cluster.keys[DESK].encryption.decrypt,  # encrypted to the desk's node
        )
    assert (signed.sender, signed.receiver, signed.type) == (RS, DESK, "verification.answer")
    assert signed.body["outcome"] == "confirmed"

    assert "verification_request_sent" in cluster.audit(DESK)
    assert "verification_answer_sent" in cluster.audit(RS)


def test_both_ends_log_every_verification_message(cluster: Cluster) -> None:
    before = {code: len(cluster.audit(code)) for code in (DESK, CITY, RS)}
    request_id = _request(cluster).json()["request_id"]
    path = f"/api/v1/dept-verifications/{request_id}/answer"
    cluster.call(RS, "POST", path, json={"outcome": "confirmed"})

    assert cluster.audit(DESK)[before[DESK] :] == [
        "verification_request_sent",
        "verification_answer_received",
    ]
    assert cluster.audit(RS)[before[RS] :] == [
        "verification_request_received",
        "verification_answer_sent",
    ]
    assert cluster.audit(CITY)[before[CITY] :] == []  # a node on the path logs nothing


def test_unreachable_department_keeps_the_request_queued_until_deliver_pending(
    cluster: Cluster,
) -> None:
    with cluster.stopped(RS):
        created = _request(cluster)
    assert created.status_code == 201, created.text
    queued = created.json()
    assert (queued["delivery"], queued["delivery_attempts"]) == ("queued", 1)
    assert "370100-RS 不可用" in queued["last_delivery_error"]

    delivered = cluster.call(DESK, "POST", "/api/v1/dept-verifications/deliver-pending")
    assert delivered.status_code == 200, delivered.text
    assert [
        (d["type"], d["to"], d["delivered"])
        for d in delivered.json()
        if d["request_id"] == queued["request_id"]
    ] == [("verification.request", RS, True)]
    assert [r["request_id"] for r in _inbox(cluster, queued["request_id"])] == [
        queued["request_id"]
    ]
    again = cluster.call(DESK, "POST", "/api/v1/dept-verifications/deliver-pending")
    assert queued["request_id"] not in {d["request_id"] for d in again.json()}


def test_answer_to_an_unreachable_desk_is_queued_and_delivered_later(cluster: Cluster) -> None:
    request_id = _request(cluster).json()["request_id"]
    with cluster.stopped(DESK):
        answered = cluster.call(
            RS,
            "POST",
            f"/api/v1/dept-verifications/{request_id}/answer",
            json={"outcome": "not_confirmed", "note": "2020 年 3 月至 6 月断缴"},
        )
    assert answered.status_code == 200, answered.text
    assert answered.json()["delivery"] == "queued"
    seen = cluster.call(DESK, "GET", f"/api/v1/dept-verifications/{request_id}").json()
    assert seen["status"] == "pending"

    cluster.call(RS, "POST", "/api/v1/dept-verifications/deliver-pending")
    seen = cluster.call(DESK, "GET", f"/api/v1/dept-verifications/{request_id}").json()
    assert (seen["status"], seen["outcome"]) == ("answered", "not_confirmed")


def test_a_resubmitted_request_reaches_the_department_once(cluster: Cluster) -> None:
    request_id = "0b7f3c1e-4d1a-4c5e-9f7a-2d3b4c5d6e7f"
    first = _request(cluster, request_id=request_id)
    second = _request(cluster, request_id=request_id)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["request_id"] == request_id
    assert [r["request_id"] for r in _inbox(cluster, request_id)] == [request_id]
    other = _request(cluster, request_id=request_id, fact="另一件事")
    assert other.status_code == 409
    assert other.json()["type"] == "/problems/verification-mismatch"


def test_withdrawal_closes_the_departments_copy(cluster: Cluster) -> None:
    request_id = _request(cluster).json()["request_id"]
    withdrawn = cluster.call(DESK, "POST", f"/api/v1/dept-verifications/{request_id}/withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["delivery"]) == ("withdrawn", "delivered")
    assert [r["status"] for r in _inbox(cluster, request_id)] == ["withdrawn"]

    late = cluster.call(
        RS,
        "POST",
        f"/api/v1/dept-verifications/{request_id}/answer",
        json={"outcome": "confirmed"},
    )
    assert late.status_code == 409
    assert late.json()["type"] == "/problems/verification-closed"
    assert "已由请求方撤回" in late.json()["detail"]


def test_only_the_addressed_department_may_answer(cluster: Cluster) -> None:
    request_id = _request(cluster).json()["request_id"]
    path = f"/api/v1/dept-verifications/{request_id}/answer"
    # The desk has no inbox copy: there is nothing it could answer.
    at_desk = cluster.call(DESK, "POST", path, json={"outcome": "confirmed"})
    assert at_desk.status_code == 404
    assert at_desk.json()["type"] == "/problems/verification-not-found"
    # A token of another organ is refused at the department node.
    foreign = cluster.call(
        RS, "POST", path, organisation="370100-MZ", json={"outcome": "confirmed"}
    )
    assert foreign.status_code == 403
    assert "不是本节点 370100-RS" in foreign.json()["detail"]
    # An applicant may not answer at all.
    applicant = cluster.call(
        RS, "POST", path, role="applicant", subject=SUBJECT, json={"outcome": "confirmed"}
    )
    assert applicant.status_code == 403
    twice = [
        cluster.call(RS, "POST", path, json={"outcome": "confirmed"}).status_code for _ in range(2)
    ]
    assert twice == [200, 409]


def test_overdue_requests_are_listed_on_both_sides(cluster: Cluster) -> None:
    created = _request(cluster, deadline=_in_seconds(2))
    assert created.status_code == 201, created.text
    soon = created.json()["request_id"]
    later = _request(cluster).json()["request_id"]
    ids = {soon, later}
    time.sleep(max(0.0, _seconds_until(created.json()["deadline"])) + 0.1)

    overdue = _listed(cluster, DESK, ids, side="outbox", overdue="true")
    assert [(r["request_id"], r["status"], r["overdue"]) for r in overdue] == [
        (soon, "overdue", True)
    ]
    assert [r["request_id"] for r in _inbox(cluster, *ids, status="overdue")] == [soon]
    statuses = {r["request_id"]: r["status"] for r in _inbox(cluster, *ids)}
    assert statuses == {soon: "overdue", later: "pending"}


def _in_seconds(seconds: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).isoformat()


def _seconds_until(instant: str) -> float:
    return (dt.datetime.fromisoformat(instant) - dt.datetime.now(dt.UTC)).total_seconds()


def test_a_signed_refusal_marks_the_request_refused_not_queued(cluster: Cluster) -> None:
    request_id = _request(cluster).json()["request_id"]
    # Another desk reuses the id (with other content): the department signs a refusal.
    body = {
        "department": RS,
        "subject_id": SUBJECT,
        "fact": "另一件事",
        "service_item": ITEM,
        "purpose": "测试",
        "request_id": request_id,
    }
    response = cluster.call(CITY, "POST", "/api/v1/dept-verifications", json=body)
    assert response.status_code == 201, response.text
    refused = response.json()
    assert refused["delivery"] == "refused"
    assert f"请求编号 {request_id} 已用于另一项核验请求" in refused["last_delivery_error"]
    retried = cluster.call(CITY, "POST", "/api/v1/dept-verifications/deliver-pending")
    assert request_id not in {d["request_id"] for d in retried.json()}
