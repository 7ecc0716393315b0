"""The list's life as a bureau runs it: import GBK CSV and XLSX, publish, a law is repealed,
publish again, diff — through the API, and the same story through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certfree.cli import app as cli
from factories.proofs import csv_bytes, xlsx_bytes

MARRIAGE_ROWS = [
    [
        "MZ-1",
        "居民户口簿",
        "户籍登记信息",
        "公安机关户籍管理部门",
        "婚姻登记条例",
        "行政法规",
        "国务院令第387号",
        "第五条",
        "数据共享；电子证照",
        "",
        "演示",
    ],
    ["MZ-1", "", "", "", "中华人民共和国户口登记条例", "法律", "", "第四条", "", "", ""],
    [
        "MZ-3",
        "结婚证或离婚证",
        "婚姻登记结果",
        "民政部门婚姻登记机关",
        "婚姻登记条例",
        "行政法规",
        "国务院令第387号",
        "第七条",
        "电子证照",
        "",
        "",
    ],
    [
        "GA-1",
        "亲属关系证明",
        "申请人与被投靠人的亲属关系",
        "公安派出所",
        "中华人民共和国户口登记条例",
        "法律",
        "",
        "第十三条",
        "数据共享、告知承诺",
        "",
        "",
    ],
]
BUSINESS_ROWS = [
    [
        "SJ-1",
        "住所使用证明",
        "有权使用登记住所",
        "市场监管部门",
        "中华人民共和国市场主体登记管理条例",
        "行政法规",
        "国务院令第746号",
        "第十六条",
        "告知承诺",
        "",
        "",
    ],
    [
        "SJ-2",
        "无违法记录证明",
        "近三年无违法经营记录",
        "市场监管部门",
        "",
        "",
        "",
        "",
        "直接取消",
        "",
        "",
    ],
]


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "certfree-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_import_publish_repeal_publish_diff_through_the_api(
    client: TestClient, token_for: Any
) -> None:
    admin = token_for("bureau_admin", "bureau-ops")
    body, content_type = _multipart("婚姻登记.csv", csv_bytes(MARRIAGE_ROWS, encoding="gbk"))
    imported = client.post(
        "/api/v1/proofs/import", content=body, headers={**admin, "Content-Type": content_type}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["encoding"] == "gb18030"
    assert imported.json()["added"] == ["MZ-1", "MZ-3", "GA-1"]

    xlsx = client.post(
        "/api/v1/proofs/import",
        params={"format": "xlsx", "filename": "企业开办.xlsx"},
        content=xlsx_bytes(BUSINESS_ROWS, title="企业开办证明事项"),
        headers={**admin, "Content-Type": "application/octet-stream"},
    )
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.json()["flagged"] == ["SJ-2"]

    v1 = client.post("/api/v1/proofs/publish", json={"reason": "首版清单"}, headers=admin)
    assert v1.json()["number"] == 1
    assert v1.json()["item_count"] == 5

    documents = client.get("/api/v1/legal-documents").json()
    regulation = next(d for d in documents if d["title"] == "婚姻登记条例")
    repealed = client.post(
        f"/api/v1/legal-documents/{regulation['id']}/repeal",
        json={"reason": "新《婚姻登记条例》施行"},
        headers=admin,
    )
    assert repealed.status_code == 200, repealed.text
    assert repealed.json()["flagged"] == ["MZ-3"]

    report = client.get("/api/v1/proofs/abolition-report", headers=token_for("cio")).json()
    reasons = {i["code"]: i["reason"] for i in report["items"]}
    assert set(reasons) == {"SJ-2", "MZ-3"}
    assert reasons["MZ-3"].startswith("依据已废止：《婚姻登记条例》（国务院令第387号）第七条")
    assert reasons["SJ-2"].startswith("无设定依据")

    v2 = client.post("/api/v1/proofs/publish", json={"reason": "条例废止后调整"}, headers=admin)
    assert v2.json()["number"] == 2

    diff = client.get("/api/v1/proofs/diff", params={"from": 1, "to": 2}).json()
    assert diff["added"] == diff["removed"] == []
    changed = {c["code"]: {f["field"]: f for f in c["changes"]} for c in diff["changed"]}
    assert set(changed) == {"MZ-1", "MZ-3"}
    assert set(changed["MZ-1"]) == {"legal_bases"}  # still rests on the 户口登记条例
    assert changed["MZ-3"]["status"]["before"] == "active"
    assert changed["MZ-3"]["status"]["after"] == "to_abolish"
    assert changed["MZ-3"]["legal_bases"]["after"] == [
        "行政法规《婚姻登记条例》（国务院令第387号）第七条（已废止）"
    ]
    assert "依据已废止" in changed["MZ-3"]["abolition_reason"]["after"]

    old = client.get("/api/v1/proofs/MZ-3", params={"version": 1}).json()
    assert old["status"] == "active"
    assert client.get("/api/v1/proofs/MZ-3").json()["status"] == "to_abolish"
    versions = client.get("/api/v1/proofs/versions").json()
    assert [(v["number"], v["actor"]) for v in versions] == [(1, "bureau-ops"), (2, "bureau-ops")]


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, db: object) -> dict[str, str]:
    return {"CERTFREE_DATABASE_URL": database_url, "CERTFREE_KEY_DIR": str(tmp_path / "keys")}


def test_the_same_story_through_the_cli(tmp_path: Path, cli_env: dict[str, str]) -> None:
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(cli, list(args), env=cli_env)
        return result.exit_code, result.stdout, result.stderr

    marriage = tmp_path / "婚姻登记.csv"
    marriage.write_bytes(csv_bytes(MARRIAGE_ROWS, encoding="gbk"))
    business = tmp_path / "企业开办.xlsx"
    business.write_bytes(xlsx_bytes(BUSINESS_ROWS))
    broken = tmp_path / "坏.csv"
    broken.write_bytes(csv_bytes([[*BUSINESS_ROWS[0][:5], "红头文件", *BUSINESS_ROWS[0][6:]]]))

    code, _, err = run("proofs", "import", str(broken))
    assert code == 1
    assert "第 2 行「依据层级」：无法识别的依据层级「红头文件」" in err
    assert run("proofs", "list", "--json")[1].strip() == "[]"

    code, out, _ = run("proofs", "import", str(marriage), "--actor", "ops-1")
    assert code == 0, out
    assert "新增 3 项" in out
    assert run("proofs", "import", str(business), "--format", "xlsx")[0] == 0
    assert run("proofs", "publish", "--reason", "首版")[0] == 0
    code, out, _ = run("proofs", "repeal", "国务院令第387号", "--reason", "条例废止")
    assert code == 0
    assert "拟取消证明 1 项" in out
    assert "MZ-3" in out
    assert run("proofs", "publish", "--reason", "第二版")[0] == 0

    code, out, _ = run("proofs", "diff", "1", "2", "--json")
    assert code == 0
    diff = json.loads(out)
    assert [c["code"] for c in diff["changed"]] == ["MZ-1", "MZ-3"]

    code, out, _ = run("proofs", "abolition-report", "--json")
    assert {i["code"] for i in json.loads(out)["items"]} == {"MZ-3", "SJ-2"}

    code, out, _ = run("proofs", "export", "--format", "json", "--version", "1")
    assert {i["code"]: i["status"] for i in json.loads(out)["items"]}["MZ-3"] == "active"
    exported = tmp_path / "v2.csv"
    assert run("proofs", "export", "--format", "csv", "-o", str(exported))[0] == 0
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")

    code, _, err = run("proofs", "diff", "1", "5")
    assert code == 1
    assert "没有第 5 版" in err
    code, _, err = run("proofs", "repeal", "不存在的法", "--reason", "x")
    assert code == 1
    assert "不存在的法" in err
