"""Importing service items from CSV and XLSX: the real Guang'an list, GBK files, row errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select

from certfree import procedures
from certfree.procedures import ServiceImportRejected, ServiceLevel
from certfree.storage import Database

# A real published list, kept as a vector (tests/vectors/SOURCES.md).
REAL_FILE = Path(__file__).parents[2] / "vectors/service_items/guang_an_district_service_items.csv"
HEADERS = ["事项编码", "事项名称", "实施机构", "实施机构统一社会信用代码", "事项类型", "申请条件"]
ROWS = [
    [
        "371A0801000000-370102000000-000-113701000100000206-1-00",
        "居住证签注",
        "济南市公安局历下区分局",
        "11370100010000012B",
        "行政确认",
        "申请人在居住地居住：proof:SD-ZM-GA-003 | data:is_resident_of(division=370102)",
    ],
    [
        "371A0802000000-370102000000-000-113701000100000206-1-00",
        "生育登记",
        "济南市历下区卫生健康局",
        "",
        "20",
        "申请人婚姻状况：data:marital_status；申请人身份：cert:11100000000013047R001",
    ],
]


def _count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(procedures.ServiceItem)) or 0


def _csv(rows: list[list[str]], headers: list[str] = HEADERS, title: str | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if title:
        writer.writerow([title])
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def test_the_real_guang_an_list_imports_and_bad_organ_codes_are_reported(db: Database) -> None:
    with REAL_FILE.open(encoding="utf-8") as handle:
        source = list(csv.DictReader(handle))
    with db.session() as session:
        report = procedures.import_service_items(
            session, REAL_FILE.read_bytes(), REAL_FILE.name, "bureau-1"
        )
    assert (report.rows, len(report.created), report.errors) == (1135, 1135, [])
    assert report.encoding == "utf-8"
    by_row = {w.row: w.reason for w in report.warnings}
    assert all(w.column == "implementing_org_uscc" for w in report.warnings)
    missing = [n for n, row in enumerate(source, start=2) if not row["implementing_org_uscc"]]
    flagged_false = [
        n for n, row in enumerate(source, start=2) if row["uscc_checksum_ok"] == "False"
    ]
    assert len(missing) == 145
    assert len(flagged_false) == 8
    assert sorted(by_row) == sorted(missing + flagged_false)
    assert all(by_row[n] == "未填写实施机构统一社会信用代码" for n in missing)
    reasons = [by_row[n] for n in flagged_false]
    assert sum("check character should be '7', got '0'" in r for r in reasons) == 7
    assert sum("含小写字母，已按大写 11511301452259996U 保存" in r for r in reasons) == 1
    with db.session() as session:
        total, _ = procedures.list_service_items(session)
        assert total == 1135
        item = procedures.get_service_item(
            session, "511A0138000000-511602000000-000-115113010833722043-1-00"
        )
        assert item.name == "适龄儿童、少年因身体状况需要延缓入学或者休学审批"
        assert item.department_name == "区教科体局"
        assert (item.level, item.division_code) == (ServiceLevel.COUNTY, "511602000000")
        assert (item.item_type, item.item_type_name) == ("1", "行政许可")
        assert item.implementing_org_uscc == "115113010833722043"
        assert item.requirements == []
        tobacco = procedures.get_service_item(
            session, "511A62001004-511602000000-000-TE5116020105116050-1-00"
        )
        assert tobacco.implementing_org_uscc is None
    with db.session() as session:
        again = procedures.import_service_items(
            session, REAL_FILE.read_bytes(), REAL_FILE.name, "bureau-1"
        )
    assert (len(again.created), len(again.updated)) == (0, 1135)


def test_a_gbk_csv_with_a_title_row_and_requirements(catalogue: Database) -> None:
    data = _csv(ROWS, title="济南市历下区政务服务事项清单（2024年）").encode("gbk")
    with catalogue.session() as session:
        report = procedures.import_service_items(session, data, "历下区.csv", "bureau-1")
    assert (report.format, report.encoding, report.rows) == ("csv", "gb18030", 2)
    assert [w.reason for w in report.warnings] == ["未填写实施机构统一社会信用代码"]
    assert report.warnings[0].row == 4
    with catalogue.session() as session:
        item = procedures.get_service_item(session, ROWS[0][0])
    assert item.item_type == "7"
    assert item.requirements[0].alternatives[1][0].parameters == {"division": "370102"}


def test_an_xlsx_file(catalogue: Database) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with catalogue.session() as session:
        report = procedures.import_service_items(session, buffer.getvalue(), "list.xlsx", "b")
    assert (report.format, len(report.created)) == ("xlsx", 2)


def test_any_bad_row_rejects_the_whole_file_naming_row_column_and_reason(
    catalogue: Database,
) -> None:
    before = _count(catalogue)
    rows = [
        ROWS[0],
        [ROWS[1][0], "", "济南市历下区卫生健康局", "", "20", ""],
        [
            "371A0803000000-370102000000-000-1-00",
            "无犯罪记录核查",
            "某局",
            "",
            "1",
            "无犯罪：proof:SD-ZM-GA-005",
        ],
        [ROWS[0][0], "重复", "某局", "", "", ""],
        [
            "371A0804000000-370102000000-000-1-00",
            "名称",
            "某局",
            "",
            "1",
            "年龄：data:age_at_least",
        ],
    ]
    with catalogue.session() as session, pytest.raises(ServiceImportRejected) as caught:
        procedures.import_service_items(session, _csv(rows).encode(), "bad.csv", "bureau-1")
    errors = [(e.row, e.column) for e in caught.value.report.errors]
    assert errors == [(3, "事项名称"), (4, "申请条件"), (5, "事项编码"), (6, "申请条件")]
    message = caught.value.message
    assert message.startswith("bad.csv：4 处错误，未导入任何内容。")
    assert "第 3 行「事项名称」：不能为空" in message
    assert (
        "第 4 行「申请条件」：政务服务事项 371A0803000000-370102000000-000-1-00 "
        "的申请条件「无犯罪」要求证明事项 SD-ZM-GA-005" in message
    )
    assert "与第 2 行重复" in message
    assert "需要参数 years" in message
    assert _count(catalogue) == before


def test_strict_mode_and_missing_columns(catalogue: Database) -> None:
    bad_uscc = [[*ROWS[0][:3], "TE5116020105116050", *ROWS[0][4:]]]
    with catalogue.session() as session, pytest.raises(ServiceImportRejected) as caught:
        procedures.import_service_items(session, _csv(bad_uscc).encode(), "s.csv", "b", strict=True)
    assert caught.value.report.errors[0].column == "实施机构统一社会信用代码"
    with catalogue.session() as session, pytest.raises(ServiceImportRejected) as caught:
        procedures.import_service_items(
            session, _csv([["x", "y"]], headers=["事项编码", "事项名称"]).encode(), "m.csv", "b"
        )
    assert [(e.row, e.column, e.reason) for e in caught.value.report.errors] == [
        (1, "实施机构", "缺少必需的列")
    ]


PARTY_HEADERS = [*HEADERS, "承诺办结时限", "结果证照类型代码"]
MARRIAGE_ROW = [
    "371A0805000000-370102000000-000-113701000100000206-1-00",
    "内地居民结婚登记",
    "济南市历下区民政局",
    "113701000100000206",
    "7",
    "申请人婚姻状况：data:marital_status；"
    "另一方当事人婚姻状况@spouse：data:marital_status | proof:SD-ZM-MZ-004",
    "1个工作日",
    "111000000000132071001",
]


def test_parties_time_limits_and_result_certificates_import(catalogue: Database) -> None:
    with catalogue.session() as session:
        procedures.import_service_items(
            session, _csv([MARRIAGE_ROW], headers=PARTY_HEADERS).encode(), "m.csv", "b"
        )
        item = procedures.get_service_item(session, MARRIAGE_ROW[0])
        view = procedures.requirements_of(session, MARRIAGE_ROW[0])
    assert [r.party for r in item.requirements] == ["applicant", "spouse"]
    assert (item.promised_days, item.result_cert_type) == (1, "111000000000132071001")
    assert item.result_cert_name == "结婚证"
    assert [(r.party_zh, r.party_en) for r in view.requirements] == [
        ("申请人", "applicant"),
        ("另一方当事人", "other party to the marriage"),
    ]


def test_the_expected_answer_imports_and_exports_unchanged(catalogue: Database) -> None:
    cell = (
        "申请人婚姻状况（无配偶）：data:marital_status[status=unmarried/divorced/widowed]"
        " | proof:SD-ZM-MZ-004[status=unmarried/divorced/widowed]；"
        "另一方当事人婚姻状况（无配偶）@spouse：data:marital_status[status=unmarried/divorced/widowed]"
    )
    row = [*MARRIAGE_ROW[:5], cell, *MARRIAGE_ROW[6:]]
    with catalogue.session() as session:
        procedures.import_service_items(
            session, _csv([row], headers=PARTY_HEADERS).encode(), "m.csv", "b"
        )
        item = procedures.get_service_item(session, MARRIAGE_ROW[0])
    assert item.requirements[0].alternatives[0][0].expect == {
        "status": ["unmarried", "divorced", "widowed"]
    }
    assert procedures.format_requirements(item.requirements) == cell


def test_an_expected_answer_that_does_not_fit_is_a_row_error(catalogue: Database) -> None:
    before = _count(catalogue)
    rows = [
        [*MARRIAGE_ROW[:5], "婚姻状况：data:marital_status[status=single]", *MARRIAGE_ROW[6:]],
        [
            MARRIAGE_ROW[0].replace("0805", "0806"),
            *MARRIAGE_ROW[1:5],
            "身份：cert:11100000000013047R001[status=unmarried]",
            *MARRIAGE_ROW[6:],
        ],
    ]
    with catalogue.session() as session, pytest.raises(ServiceImportRejected) as caught:
        procedures.import_service_items(
            session, _csv(rows, headers=PARTY_HEADERS).encode(), "e.csv", "b"
        )
    errors = [(e.row, e.column, e.reason) for e in caught.value.report.errors]
    assert [(row, column) for row, column, _ in errors] == [(2, "申请条件"), (3, "申请条件")]
    assert "status 的期望值应为 unmarried、married、divorced、widowed 之一" in errors[0][2]
    assert "电子证照不带期望答复" in errors[1][2]
    assert _count(catalogue) == before


def test_an_unknown_party_days_or_result_type_is_a_row_error(catalogue: Database) -> None:
    before = _count(catalogue)
    unknown_party = [*MARRIAGE_ROW[:5], "婚姻状况@neighbour：data:marital_status", "1", ""]
    bad_days = [*MARRIAGE_ROW[:6], "一周", ""]
    unknown_type = [*MARRIAGE_ROW[:6], "", "11100000000013047R009"]
    rows = [
        unknown_party,
        [MARRIAGE_ROW[0].replace("0805", "0806"), *bad_days[1:]],
        [MARRIAGE_ROW[0].replace("0805", "0807"), *unknown_type[1:]],
    ]
    with catalogue.session() as session, pytest.raises(ServiceImportRejected) as caught:
        procedures.import_service_items(
            session, _csv(rows, headers=PARTY_HEADERS).encode(), "p.csv", "b"
        )
    errors = [(e.row, e.column, e.reason) for e in caught.value.report.errors]
    assert [(row, column) for row, column, _ in errors] == [
        (2, "申请条件"),
        (3, "承诺办结时限"),
        (4, "结果证照类型代码"),
    ]
    assert "当事人（party）「neighbour」应为 applicant 申请人、spouse 另一方当事人" in errors[0][2]
    assert "承诺办结时限应为工作日数，如 20 或 20个工作日，收到「一周」" in errors[1][2]
    assert "办结签发的电子证照类型 11100000000013047R009 不在已知证照类型中" in errors[2][2]
    assert _count(catalogue) == before
