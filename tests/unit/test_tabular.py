"""Reading offices' files (CSV in every encoding Excel writes, XLSX) and rejecting bad rows."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from certfree.errors import InvalidInput
from certfree.procedures import ServiceImportRejected
from certfree.proofs import ImportRejected
from certfree.tabular import (
    ImportReport,
    RowError,
    RowsRejected,
    column_positions,
    pick,
    read_table,
)

COLUMNS = {"code": ("事项编码", "code"), "name": ("事项名称", "name"), "note": ("备注",)}
KNOWN = {h for names in COLUMNS.values() for h in names}
CSV_TEXT = "济南市证明事项清单（2024年）\r\n事项编码,事项名称,备注\r\nMZ-1,婚姻状况证明,\r\n"


def _xlsx(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_gbk_csv_from_excel_on_chinese_windows() -> None:
    table = read_table(CSV_TEXT.encode("gbk"), "清单.csv", KNOWN)
    assert (table.format, table.encoding) == ("csv", "gb18030")
    # The title row is skipped; numbers are those a spreadsheet shows.
    assert (table.header_row, table.headers) == (2, ("事项编码", "事项名称", "备注"))
    assert table.rows == ((3, ("MZ-1", "婚姻状况证明", "")),)


def test_a_utf8_csv_with_a_byte_order_mark() -> None:
    table = read_table(b"\xef\xbb\xbf" + CSV_TEXT.encode(), "清单.csv", KNOWN)
    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "事项编码"  # not "\ufeff事项编码"
    assert read_table(CSV_TEXT.encode(), "清单.csv", KNOWN).encoding == "utf-8"


def test_rows_are_numbered_by_record_even_when_a_cell_breaks_lines() -> None:
    text = '事项编码,备注\nA,"第一行\n第二行"\n\nB,\n'
    table = read_table(text.encode(), "x.csv", KNOWN)
    assert table.rows == ((2, ("A", "第一行\n第二行")), (4, ("B", "")))


def test_tab_separated_text_copied_from_excel() -> None:
    table = read_table("事项编码\t事项名称\nA\t甲, 乙\n".encode(), "x.csv", KNOWN)
    assert table.rows == ((2, ("A", "甲, 乙")),)


def test_an_xlsx_workbook_made_with_openpyxl() -> None:
    data = _xlsx(
        ["清单"],
        ["事项编码", "事项名称", "备注"],
        [3701.0, "婚姻状况证明", 20240601],
        [None, None, None],
        [" B ", 2.5, None],
    )
    table = read_table(data, "清单.xlsx", KNOWN)
    assert (table.format, table.encoding, table.header_row) == ("xlsx", None, 2)
    # A whole number stored as a float (as some exporters write codes) reads as typed.
    assert table.rows == ((3, ("3701", "婚姻状况证明", "20240601")), (5, ("B", "2.5", "")))
    # Recognised by content even under another name.
    assert read_table(data, "upload", KNOWN).format == "xlsx"


def test_a_file_in_neither_utf8_nor_gbk_is_refused_saying_what_to_do() -> None:
    utf16 = CSV_TEXT.encode("utf-16")  # Excel's "Unicode text"
    with pytest.raises(InvalidInput) as caught:
        read_table(utf16, "清单.csv", KNOWN)
    assert caught.value.field == "file"
    assert caught.value.message == (
        "文件既不是 UTF-8 也不是 GBK/GB18030 编码（第 0 字节）；请另存为 UTF-8 CSV"
    )
    # The offset counts from the start of the file, byte order mark included.
    with pytest.raises(InvalidInput, match="第 3 字节"):
        read_table(b"\xef\xbb\xbf" + "编码".encode("gbk"), "x.csv", KNOWN)


def test_files_that_are_not_tables_are_refused() -> None:
    with pytest.raises(InvalidInput, match="文件为空"):
        read_table(b" \r\n", "x.csv", KNOWN)
    with pytest.raises(InvalidInput, match="文件过大（11 字节，上限 10）"):
        read_table(b"code,name\r\n", "x.csv", KNOWN, max_bytes=10)
    with pytest.raises(InvalidInput, match=r"前 5 行中没有找到表头（如「事项编码」）；请检查文件"):
        read_table(b"a,b\n1,2\n", "x.csv", KNOWN, examples=["事项编码"])
    with pytest.raises(InvalidInput, match="无法读取 XLSX"):
        read_table(b"PK\x03\x04garbage", "x.xlsx", KNOWN)
    with pytest.raises(InvalidInput, match="请用 --format xlsx"):
        read_table(_xlsx(["code"]), "x.csv", KNOWN, fmt="csv")
    with pytest.raises(InvalidInput, match="不支持的格式「ods」"):
        read_table(b"code\n", "x.ods", KNOWN, fmt="ods")


def test_columns_are_found_by_any_accepted_header() -> None:
    positions = column_positions(("name", "备注", "事项名称", "事项编码"), COLUMNS)
    assert positions == {"name": 0, "note": 1, "code": 3}
    assert pick(["甲", " 乙 "], positions) == {"name": "甲", "note": "乙", "code": ""}


def test_rejected_rows_become_a_message_and_problem_members() -> None:
    report = ImportReport("坏.csv", errors=[RowError(3, "事项名称", "不能为空")])
    report.errors.append(RowError(5, "办理方式", "无法识别"))
    error = RowsRejected(report)
    assert (error.status, error.field) == (422, "事项名称")
    assert error.message == (
        "坏.csv：2 处错误，未导入任何内容。"
        "第 3 行「事项名称」：不能为空；第 5 行「办理方式」：无法识别"
    )
    assert error.problem_extensions() == {
        "errors": [
            {"row": 3, "field": "事项名称", "detail": "不能为空"},
            {"row": 5, "field": "办理方式", "detail": "无法识别"},
        ]
    }


def test_each_domain_rejects_with_its_own_problem_type() -> None:
    assert issubclass(ImportRejected, RowsRejected)
    assert issubclass(ServiceImportRejected, RowsRejected)
    slugs = {RowsRejected.slug, ImportRejected.slug, ServiceImportRejected.slug}
    assert slugs == {"import-rejected", "proof-import-rejected", "service-import-rejected"}
