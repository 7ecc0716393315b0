"""The catalog API as a department, the big-data bureau, a CIO and a clerk use it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
PROVIDER_CODE = "11370100004297614W"


def _admin(client: TestClient, org: str | None) -> dict[str, str]:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {tokens.issue('department_admin', 'ga-1', organisation=org)}"}


def _resource(**changes: Any) -> dict[str, Any]:
    return {
        "class_code": "101",
        "name": "户籍人口基本信息",
        "abstract": "常住人口户籍登记",
        "provider": "济南市公安局",
        "provider_code": PROVIDER_CODE,
        "format": "数据库",
        "items": [{"name": "公民身份号码", "grade": "important"}, {"name": "户籍地址"}],
        "share_type": "conditional",
        "share_conditions": "仅用于政务服务身份核验",
        "share_method": "api",
        "open_type": "not_open",
        "update_cycle": "realtime",
        "released": "2024-03-01",
    } | changes


def test_department_edits_only_its_own_resources(client: TestClient, token_for: Any) -> None:
    own = _admin(client, PROVIDER_CODE)
    other = _admin(client, "济南市民政局")
    created = client.post("/api/v1/catalog/resources", json=_resource(), headers=own)
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert code == "101/000001"

    refused = client.post("/api/v1/catalog/resources", json=_resource(), headers=other)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert "济南市公安局" in refused.json()["detail"]

    patched = client.patch(
        f"/api/v1/catalog/resources/{code}", json={"update_cycle": "每日"}, headers=own
    )
    assert patched.json()["update_cycle"] == "daily"
    assert (
        client.patch(
            f"/api/v1/catalog/resources/{code}", json={"name": "改"}, headers=other
        ).status_code
        == 403
    )
    moved = client.patch(
        f"/api/v1/catalog/resources/{code}", json={"provider_code": "X1"}, headers=own
    )
    assert moved.status_code == 403

    bureau = token_for("bureau_admin")
    by_bureau = client.patch(
        f"/api/v1/catalog/resources/{code}", json={"name": "户籍人口信息"}, headers=bureau
    )
    assert by_bureau.json()["name"] == "户籍人口信息"
    shown = client.get(f"/api/v1/catalog/resources/{code}", headers=token_for("cio"))
    assert shown.json()["share_type_zh"] == "有条件共享"
    assert client.get("/api/v1/catalog/resources", headers=token_for("clerk")).status_code == 403
    assert client.delete(f"/api/v1/catalog/resources/{code}", headers=other).status_code == 403
    assert client.delete(f"/api/v1/catalog/resources/{code}", headers=own).status_code == 204
    gone = client.get(f"/api/v1/catalog/resources/{code}", headers=bureau)
    assert gone.status_code == 404
    assert gone.json()["type"].endswith("/resource-not-found")


def test_invalid_resource_names_the_field(client: TestClient, token_for: Any) -> None:
    sent = client.post(
        "/api/v1/catalog/resources",
        json=_resource(share_type="not_shared"),
        headers=token_for("bureau_admin"),
    )
    assert sent.status_code == 422
    assert sent.headers["content-type"].startswith(PROBLEM)
    assert sent.json()["field"] == "unshared_basis"
    assert "法律法规" in sent.json()["detail"]


def test_demands_matches_and_gaps(client: TestClient, token_for: Any) -> None:
    bureau = token_for("bureau_admin")
    for changes in ({}, {"name": "城镇职工社会保险参保信息", "class_code": "203",
                        "items": [{"name": "缴费月数"}], "provider": "济南市人社局",
                        "provider_code": "X2"}):  # fmt: skip
        assert (
            client.post(
                "/api/v1/catalog/resources", json=_resource(**changes), headers=bureau
            ).status_code
            == 201
        )
    hr = _admin(client, "370100-RS")
    demand = {
        "department": "济南市人力资源和社会保障局", "scenario": "失业保险金申领",
        "text": "社保参保缴费情况", "items": ["缴费月数"], "purpose": "核验申领资格",
        "legal_basis": "《失业保险条例》第十四条", "calls_per_day": 300,
    }  # fmt: skip
    registered = client.post("/api/v1/catalog/demands", json=demand, headers=hr)
    assert registered.status_code == 201, registered.text
    body = registered.json()
    assert body["department_code"] == "370100-RS"
    assert body["candidates"][0]["name"] == "城镇职工社会保险参保信息"
    assert body["candidates"][0]["explanation"]["items"][0]["resource_item"] == "缴费月数"
    gap = client.post(
        "/api/v1/catalog/demands", json=demand | {"text": "火星车遥测数据", "items": []},
        headers=hr,
    )  # fmt: skip
    assert gap.json()["candidates"] == []

    mine = client.get("/api/v1/catalog/demands", headers=hr).json()
    assert len(mine) == 2
    assert client.get("/api/v1/catalog/demands", headers=_admin(client, "x")).json() == []
    matches = client.get(f"/api/v1/catalog/demands/{body['id']}/matches", headers=token_for("cio"))
    assert matches.json()[0]["score"] > 0
    foreign = client.get(
        f"/api/v1/catalog/demands/{body['id']}/matches", headers=_admin(client, "x")
    )
    assert foreign.status_code == 403

    assert client.get("/api/v1/catalog/gaps", headers=hr).status_code == 403
    gaps = client.get("/api/v1/catalog/gaps", headers=bureau).json()
    assert [g["text"] for g in gaps] == ["火星车遥测数据"]

    adhoc = client.post(
        "/api/v1/catalog/match", json={"text": "户口", "top": 3}, headers=token_for("cio")
    )
    assert adhoc.json()[0]["name"] == "户籍人口基本信息"
    assert adhoc.json()[0]["explanation"]["terms"][0]["synonym"] is True


def test_bureau_imports_a_file(client: TestClient, token_for: Any) -> None:
    data = "信息资源名称,信息资源提供方,发布日期\n婚姻登记信息,济南市民政局,2024-01-01\n"
    sent = client.post(
        "/api/v1/catalog/import?filename=a.csv",
        content=data.encode("gbk"),
        headers=token_for("bureau_admin") | {"content-type": "text/csv"},
    )
    assert sent.status_code == 200, sent.text
    assert (sent.json()["created"], sent.json()["encoding"]) == (1, "gb18030")
    bad = client.post(
        "/api/v1/catalog/import?filename=b.csv",
        content="信息资源名称,信息资源提供方,发布日期\n,济南市民政局,2024-01-01\n".encode(),
        headers=token_for("bureau_admin") | {"content-type": "text/csv"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"row": 2, "field": "信息资源名称", "detail": "不能为空"}]
    dept = client.post("/api/v1/catalog/import", content=data.encode(), headers=_admin(client, "x"))
    assert dept.status_code == 403
