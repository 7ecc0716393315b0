"""A citizen's accesses across the cascade: their home node asks every node
of the registry with a token minted for that node alone, checks each signed head and proof, and
reports a node that is down or that answers falsely instead of hiding it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, expect

from certfree.governance import append_records
from helpers.cascade import Nodes, running_nodes
from unit.governance.test_audit_log import ALICE, BOB, record

PROVINCE, CITY, MZ, GA = "370000", "370100", "370100-MZ", "370100-GA"
LEVELS = {PROVINCE: "province", CITY: "city", MZ: "department", GA: "department"}
PARENTS = {CITY: PROVINCE, MZ: CITY, GA: CITY}
CASCADE = "/api/v1/me/accesses/cascade"
PEER = "/api/v1/exchange/subject-accesses"


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[Nodes]:
    with running_nodes(tmp_path, LEVELS, PARENTS) as running:
        # MZ answered two questions about Alice and one about Bob; her city asked one.
        for code, subjects in ((MZ, [ALICE, BOB, ALICE]), (CITY, [ALICE])):
            with running.dbs[code].session() as session:
                append_records(session, [record(n, subjects=(s,)) for n, s in enumerate(subjects)])
        yield running


def _token(nodes: Nodes, code: str, subject: str = ALICE, **kwargs: Any) -> dict[str, str]:
    token = nodes.apps[code].state.node.tokens.issue("applicant", subject, **kwargs)
    return {"Authorization": f"Bearer {token}"}


def _get(nodes: Nodes, code: str, path: str, headers: dict[str, str]) -> Any:
    with nodes.client(code) as client:
        return client.get(path, headers=headers)


def _by_node(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {part["node"]: part for part in body["nodes"]}


def test_the_home_node_shows_every_nodes_entries_about_the_citizen(nodes: Nodes) -> None:
    response = _get(nodes, CITY, CASCADE, _token(nodes, CITY))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["subject"] == ALICE
    assert body["registry_problem"] is None
    assert [part["node"] for part in body["nodes"]] == [CITY, PROVINCE, GA, MZ]
    parts = _by_node(body)
    assert {code: part["status"] for code, part in parts.items()} == dict.fromkeys(parts, "ok")
    assert [a["leaf_index"] for a in parts[MZ]["accesses"]] == [0, 2]
    assert parts[MZ]["head"]["node"] == MZ
    assert parts[MZ]["head"]["tree_size"] == 3
    assert parts[MZ]["accesses"][0]["question"] == "marital_status"
    assert parts[MZ]["accesses"][0]["answer"] == {"married": True}
    assert [a["leaf_index"] for a in parts[CITY]["accesses"]] == [0]
    assert parts[GA]["accesses"] == []
    assert parts[PROVINCE]["accesses"] == []
    # Bob sees only his own entry; nothing of Alice's crosses to him.
    bob = _by_node(_get(nodes, CITY, CASCADE, _token(nodes, CITY, BOB)).json())
    assert [a["leaf_index"] for a in bob[MZ]["accesses"]] == [1]
    assert list(bob[MZ]["accesses"][0]["subjects"]) == [BOB]


def test_a_minted_token_is_good_only_at_the_node_it_names(nodes: Nodes) -> None:
    for_mz = _token(nodes, CITY, audience=MZ, ttl_seconds=60)

    assert _get(nodes, MZ, PEER, for_mz).status_code == 200
    elsewhere = _get(nodes, GA, PEER, for_mz)
    assert elsewhere.status_code == 401
    assert elsewhere.headers["content-type"] == "application/problem+json"
    assert "not minted for this node" in elsewhere.json()["detail"]
    # Nor does the home node itself take it back as one of its own tokens.
    at_home = _get(nodes, CITY, "/api/v1/me/accesses", for_mz)
    assert at_home.status_code == 401
    assert "minted for node '370100-MZ'" in at_home.json()["detail"]
    # The citizen's own token, with no audience, is not passed around either.
    assert _get(nodes, MZ, PEER, _token(nodes, CITY)).status_code == 401
    assert _get(nodes, MZ, PEER, {}).status_code == 401
    clerk = nodes.apps[CITY].state.node.tokens.issue("clerk", "staff-1", audience=MZ)
    refused = _get(nodes, MZ, PEER, {"Authorization": f"Bearer {clerk}"})
    assert refused.status_code == 403


def test_a_down_node_is_reported_and_the_others_still_shown(nodes: Nodes) -> None:
    nodes.down(GA)

    parts = _by_node(_get(nodes, CITY, CASCADE, _token(nodes, CITY)).json())

    assert parts[GA]["status"] == "unreachable"
    assert parts[GA]["detail"] == "ConnectError"
    assert parts[MZ]["status"] == "ok"
    assert len(parts[MZ]["accesses"]) == 2


def _impostor(body: dict[str, Any]) -> FastAPI:
    """A node that answers the accesses route with ``body`` whatever is asked."""
    app = FastAPI()
    app.get(PEER)(lambda: body)
    return app


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda b: b["accesses"][0]["record"].update(outcome={"married": False}), "与其叶内容不符"),
        (
            lambda b: b["accesses"].pop(1) and b["accesses"][0].update(leaf_index=1),
            "根哈希与树头不符",
        ),
        (lambda b: b["head"].update(tree_size=2), "树头字段与签名内容不符"),
        (lambda b: b.update(subject=BOB), "不是当前登录的本人"),
    ],
)
def test_an_answer_that_fails_a_check_is_shown_as_invalid(
    nodes: Nodes, tamper: Any, reason: str
) -> None:
    body = _get(nodes, MZ, PEER, _token(nodes, CITY, audience=MZ)).json()
    tamper(body)
    nodes.down(MZ)
    nodes.up(MZ, _impostor(body))

    parts = _by_node(_get(nodes, CITY, CASCADE, _token(nodes, CITY)).json())

    assert parts[MZ]["status"] == "invalid"
    assert reason in parts[MZ]["detail"]
    assert parts[MZ]["accesses"] == []


@pytest.mark.browser
def test_the_citizen_page_shows_every_nodes_entries_proved_in_the_browser(
    nodes: Nodes, browser: Browser
) -> None:
    nodes.down(GA)
    token = nodes.apps[CITY].state.node.tokens.issue("applicant", ALICE)
    base = nodes.url(CITY)
    page = browser.new_page(locale="zh-CN")
    page.goto(base + "/me")  # signed in as the province's identity service would leave it
    page.evaluate(
        "([token, subject]) => sessionStorage.setItem('certfree.me', "
        "JSON.stringify({ token, subject }))",
        [token, ALICE],
    )
    page.reload()

    expect(page.locator("#accesses tbody tr")).to_have_count(3)
    expect(page.locator("#accesses tr[data-node='370100-MZ'] .proof")).to_have_text(
        ["✓ 已在本机验证：第 2 条，日志共 3 条", "✓ 已在本机验证：第 0 条，日志共 3 条"]
    )
    expect(page.locator("#accesses tr[data-node='370100'] .proof")).to_have_text(
        "✓ 已在本机验证：第 0 条，日志共 1 条"
    )
    # Each node by the name the province's registry gives it.
    expect(page.locator("#nodes li[data-node='370100-MZ']")).to_have_text(
        "济南市民政局：2 条，日志共 3 条，树头签名已核对"
    )
    expect(page.locator("#nodes li[data-node='370100-GA']")).to_have_text(
        "济南市公安局：暂时无法连接（ConnectError），其记录稍后再查"
    )
    page.close()
