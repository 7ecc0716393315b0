"""Importing lists: encodings, XLSX, several bases per item, row errors and all-or-nothing."""

from __future__ import annotations

import pytest

from certfree.demo import load_demo_list
from certfree.errors import InvalidInput
from certfree.nodes import DepartmentKind
from certfree.proofs import (
    ChangeKind,
    ExcludedArea,
    ImportRejected,
    ProofItemStatus,
    Way,
    abolish_item,
    export_csv,
    get_item,
    import_proof_list,
    list_changes,
    list_items,
)
from certfree.storage import Database
from factories.proofs import csv_bytes, xlsx_bytes

ROWS = [
    ["MZ-1", "居民户口簿", "户籍信息", "公安机关户籍管理部门", "婚姻登记条例", "行政法规",
     "国务院令第387号", "第五条", "数据共享；电子证照", "", "演示"],
    ["MZ-1", "", "", "", "中华人民共和国户口登记条例", "法律", "", "第四条", "", "", ""],
    ["MZ-2", "无配偶证明", "当前无配偶", "村（居）民委员会", "婚姻登记工作规范", "规范性文件",
     "民发〔2015〕230号", "第二十九条", "直接取消", "", ""],
    ["SJ-1", "健康证明", "从业人员健康检查合格", "卫生健康部门", "中华人民共和国食品安全法",
     "法律", "", "第四十五条", "电子证照、部门核验", "直接关系人身健康、生命财产安全", ""],
    ["SJ-2", "无违法记录证明", "近三年无违法", "市场监管部门", "", "", "", "", "直接取消", "", ""],
]  # fmt: skip


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_in_every_office_encoding(db: Database, encoding: str, detected: str) -> None:
    with db.session() as session:
        report = import_proof_list(session, csv_bytes(ROWS, encoding=encoding), "清单.csv", "a")
    assert report.encoding == detected
    assert report.added == ["MZ-1", "MZ-2", "SJ-1", "SJ-2"]
    assert report.flagged == ["MZ-2", "SJ-2"]
    with db.session() as session:
        household = get_item(session, "MZ-1")
        health = get_item(session, "SJ-1")
    assert [b.document_title for b in household.legal_bases] == [
        "婚姻登记条例",
        "中华人民共和国户口登记条例",
    ]
    assert household.ways == (Way.DATA_SHARING, Way.E_CERTIFICATE)
    assert household.department_kind is DepartmentKind.GA
    assert health.excluded_area is ExcludedArea.LIFE_HEALTH_PROPERTY
    assert health.ways == (Way.E_CERTIFICATE, Way.DEPARTMENT_VERIFICATION)


def test_xlsx_with_a_title_row_above_the_headers(db: Database) -> None:
    data = xlsx_bytes(ROWS, title="山东省证明事项清单（2023年）")
    with db.session() as session:
        report = import_proof_list(session, data, "清单.xlsx", "admin")
    assert report.format == "xlsx"
    assert report.rows == len(ROWS)
    assert len(report.added) == 4


def test_bad_rows_are_all_reported_and_nothing_is_stored(db: Database) -> None:
    bad = [
        *ROWS,
        ["SJ-3", "证明", "事实", "部门", "某法", "红头文件", "", "", "数据共享", "", ""],
        ["SJ-4", "证明", "事实", "部门", "", "", "", "", "飞鸽传书", "", ""],
        ["SJ-5", "证明", "", "部门", "", "", "", "", "告知承诺", "公共安全", ""],
        ["MZ-1", "别的名称", "", "", "", "", "", "", "", "", ""],
    ]
    with db.session() as session, pytest.raises(ImportRejected) as caught:
        import_proof_list(session, csv_bytes(bad, encoding="gbk"), "坏.csv", "admin")
    errors = [(e.row, e.column) for e in caught.value.report.errors]
    assert errors == [(7, "依据层级"), (8, "办理方式"), (9, "证明内容"), (10, "证明事项名称")]
    message = caught.value.message
    assert "第 7 行「依据层级」：无法识别的依据层级「红头文件」" in message
    assert "第 8 行「办理方式」：无法识别的办理方式「飞鸽传书」" in message
    assert "第 10 行「证明事项名称」：与第 2 行同一事项的填写不一致" in message
    assert "未导入任何内容" in message
    with db.session() as session:
        assert list_items(session) == []
        assert list_changes(session) == []


def test_commitment_in_an_excluded_area_is_a_row_error(db: Database) -> None:
    row = ["X-1", "证明", "事实", "部门", "某法", "法律", "", "", "告知承诺", "公共安全", ""]
    with db.session() as session, pytest.raises(ImportRejected) as caught:
        import_proof_list(session, csv_bytes([row]), "x.csv", "admin")
    [error] = caught.value.report.errors
    assert (error.row, error.column) == (2, "办理方式")
    assert "国办发〔2020〕42号" in error.reason


def test_missing_required_column_names_it(db: Database) -> None:
    headers = ("证明事项编码", "证明事项名称", "证明内容", "原开具部门")
    with db.session() as session, pytest.raises(ImportRejected, match="「办理方式」：缺少此列"):
        import_proof_list(session, csv_bytes([], headers=headers), "x.csv", "admin")


def test_files_that_are_not_lists_are_refused(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(InvalidInput, match="文件为空"):
            import_proof_list(session, b"", "x.csv", "admin")
        with pytest.raises(InvalidInput, match="没有找到表头"):
            import_proof_list(session, b"a,b\n1,2\n", "x.csv", "admin")
        with pytest.raises(InvalidInput, match="无法读取 XLSX"):
            import_proof_list(session, b"PK\x03\x04garbage", "x.xlsx", "admin")


def test_reimport_amends_what_changed_and_logs_it(db: Database) -> None:
    with db.session() as session:
        import_proof_list(session, csv_bytes(ROWS), "v1.csv", "admin")
    changed = [list(r) for r in ROWS]
    changed[0][8] = "数据共享；告知承诺"
    with db.session() as session:
        report = import_proof_list(session, csv_bytes(changed), "v2.csv", "admin-2")
        amend = [c for c in list_changes(session) if c.kind is ChangeKind.AMEND_ITEM]
    assert report.amended == ["MZ-1"]
    assert report.unchanged == ["MZ-2", "SJ-1", "SJ-2"]
    assert amend[0].actor == "admin-2"
    assert amend[0].reason == "导入 v2.csv"
    assert amend[0].details["ways"]["after"] == ["data_sharing", "commitment"]


def test_export_reads_back_unchanged(db: Database) -> None:
    with db.session() as session:
        import_proof_list(session, csv_bytes(ROWS), "v1.csv", "admin")
        exported = export_csv(list_items(session))
    assert exported.startswith(b"\xef\xbb\xbf")
    assert "设定依据" in exported.decode("utf-8-sig").splitlines()[0]
    with db.session() as session:
        report = import_proof_list(session, exported, "export.csv", "admin")
    assert report.unchanged == ["MZ-1", "MZ-2", "SJ-1", "SJ-2"]


def test_demo_list_loads_publishes_and_flags_the_unfounded(db: Database) -> None:
    with db.session() as session:
        count = load_demo_list(session, "demo")
    with db.session() as session:
        items = list_items(session, 1)
        assert load_demo_list(session, "demo") == count  # idempotent, no second version
    assert 20 <= count == len(items) <= 30
    flagged = {i.name for i in items if i.status is ProofItemStatus.TO_ABOLISH}
    assert {
        "无配偶证明（单身证明）",
        "社区开具的居住证明",
        "无犯罪记录证明",
        "无违法记录证明",
    } <= flagged
    names = {i.name for i in items}
    assert {"亲属关系证明", "婚姻状况证明", "老年人年龄证明", "住所（经营场所）使用证明"} <= names


def test_an_export_reimports_after_an_item_in_it_was_abolished(db: Database) -> None:
    with db.session() as session:
        import_proof_list(session, csv_bytes(ROWS), "v1.csv", "admin")
        before = export_csv(list_items(session))
        abolish_item(session, "MZ-2", "admin", "国务院决定取消")
        working = export_csv(list_items(session))  # shows MZ-2 as 已取消
    assert "已取消" in working.decode("utf-8-sig")
    for exported in (before, working):
        with db.session() as session:
            report = import_proof_list(session, exported, "export.csv", "admin")
            assert get_item(session, "MZ-2").status is ProofItemStatus.ABOLISHED
        assert report.abolished == ["MZ-2"]  # passed over, and said so
        assert report.unchanged == ["MZ-1", "SJ-1", "SJ-2"]
        assert report.as_json()["abolished"] == ["MZ-2"]
