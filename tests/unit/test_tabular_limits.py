"""Hostile and malformed files are refused naming the row, in bounded memory; exports escape
cells a spreadsheet would run as formulas, and imports read them back unchanged."""

from __future__ import annotations

import contextlib
import csv
import io
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certfree.catalog.lists.spreadsheet import write_xlsx
from certfree.errors import InvalidInput
from certfree.tabular import (
    Limits,
    TableFault,
    escape_cell,
    read_table,
    text_encoding,
    unescape_cell,
)
from helpers.hostile_files import Hostile, hostile_files, long_field_csv, sheet_xml, workbook

KNOWN = {"事项编码", "备注"}
MEGABYTE = 1024 * 1024


@pytest.mark.parametrize("hostile", hostile_files("事项编码"), ids=lambda h: h.name)
def test_a_hostile_workbook_is_refused_with_its_row_in_bounded_memory(hostile: Hostile) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(TableFault) as caught:
            read_table(hostile.data, "清单.xlsx", KNOWN)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    fault = caught.value
    assert (fault.status, fault.field) == (422, "file")
    assert hostile.reason in fault.message
    assert fault.row == hostile.row
    if hostile.row is not None:
        assert fault.message.startswith(f"第 {hostile.row} 行")
        [error] = fault.problem_extensions()["errors"]
        assert error["row"] == hostile.row
    # openpyxl took over a gigabyte for the 1.5 KB "dimension" file; the bomb is 492 MB.
    assert peak < 32 * MEGABYTE, f"{hostile.name} took {peak // MEGABYTE} MB"


def test_the_dimension_a_sheet_declares_allocates_nothing() -> None:
    # The same 1 M x 100 declaration with a value only in column A is a one-row table.
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>事项编码</t></is></c></row>'
    rows += '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    table = read_table(workbook(sheet_xml(rows, dimension="A1:CV1048576")), "x.xlsx", KNOWN)
    assert table.rows == ((1_048_576, ("1",)),)


def test_limits_on_rows_columns_and_cells_name_the_row() -> None:
    wide = "事项编码," + ",".join("x" * 70) + "\r\n"
    with pytest.raises(TableFault, match="第 1 行：超过 64 列"):
        read_table(wide.encode(), "x.csv", KNOWN)
    # Trailing empty cells (Excel pads rows with them) are no columns.
    assert read_table(("事项编码" + "," * 200 + "\r\nA\r\n").encode(), "x.csv", KNOWN).rows
    many = "事项编码\r\n" + "A\r\n" * 11
    with pytest.raises(TableFault, match="第 12 行：超过 10 行数据"):
        read_table(many.encode(), "x.csv", KNOWN, limits=Limits(max_rows=10))
    long_cell = f"事项编码,备注\r\nA,{'长' * 32_768}\r\n"
    with pytest.raises(TableFault, match=r"第 2 行（第 2 列）：单元格超过 32767 个字符"):
        read_table(long_cell.encode(), "x.csv", KNOWN)
    rows = [["事项编码"], *[[f"A{n}"] for n in range(11)]]
    with pytest.raises(TableFault, match="超过 10 行"):
        read_table(write_xlsx([("s", rows)]), "x.xlsx", KNOWN, limits=Limits(max_rows=10))


def test_a_csv_field_over_128_kib_is_a_row_error_not_a_crash() -> None:
    with pytest.raises(TableFault) as caught:
        read_table(long_field_csv("事项编码"), "x.csv", KNOWN)
    assert caught.value.message == f"第 2 行：单元格超过 {csv.field_size_limit()} 个字符"
    assert caught.value.problem_extensions()["errors"][0]["row"] == 2


def test_only_encodings_tables_are_written_in_may_be_named() -> None:
    assert text_encoding("GBK") == "gbk"
    assert text_encoding("UTF-8") == "utf_8"
    for name in ("klingon", "rot13", "idna", "undefined", "base64", "hex", "a\x00b", ""):
        with pytest.raises(InvalidInput) as caught:
            text_encoding(name)
        assert caught.value.field == "encoding"


def test_workbook_values_read_as_a_person_sees_them() -> None:
    styles = '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
    sheet = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml'
        '/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
        '<c r="B1" t="s"><v>1</v></c></row>'
        '<row r="3"><c r="A3" s="1"><v>45444</v></c><c r="B3" t="b"><v>1</v></c>'
        '<c r="C3" t="e"><v>#N/A</v></c><c r="E3"><v>3701.0</v></c></row>'
        '<row r="4"><c r="A4" t="d"><v>2024-06-01T08:30:00</v></c><c r="B4" t="str">'
        "<f>A1</f><v>'=1+1</v></c></row></sheetData></worksheet>"
    )
    shared = (
        "<si><t>事项编码</t></si><si><r><t>备</t></r><r><t>注</t></r><rPh><t>bei</t></rPh></si>"
    )
    table = read_table(workbook(sheet.encode(), shared=shared, styles=styles), "x.xlsx", KNOWN)
    assert table.headers == ("事项编码", "备注")
    assert table.rows == (
        (3, ("2024-06-01", "TRUE", "#N/A", "", "3701")),
        (4, ("2024-06-01T08:30:00", "=1+1")),
    )


FORMULAS = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=x", "''", "'"]


def test_exports_escape_formulas_and_imports_read_them_back() -> None:
    assert escape_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert [escape_cell(v)[0] for v in FORMULAS] == ["'"] * len(FORMULAS)
    assert escape_cell("婚姻状况证明") == "婚姻状况证明"
    assert escape_cell(-5) == -5  # a number is never a formula
    rows = [["事项编码", "备注"], *[[f"A{n}", v] for n, v in enumerate(FORMULAS)]]
    out = io.StringIO()
    csv.writer(out).writerows([[escape_cell(c) for c in row] for row in rows])
    assert "A0,'=cmd|' /C calc'!A0\r\n" in out.getvalue()  # what a spreadsheet opens
    for data, name in ((out.getvalue().encode(), "x.csv"), (write_xlsx([("s", rows)]), "x.xlsx")):
        table = read_table(data, name, KNOWN)
        assert [row[1] for _, row in table.rows] == FORMULAS


@given(st.text(max_size=20))
def test_unescape_reverses_escape(value: str) -> None:
    assert unescape_cell(escape_cell(value)) == value
    assert not escape_cell(value).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_csv_that_is_all_separators_or_blank_lines_is_refused_early() -> None:
    # Ten megabytes of commas would be ten million cells once csv split the line.
    tracemalloc.start()
    try:
        with pytest.raises(TableFault, match=r"第 2 行：一行超过 \d+ 个字符"):
            read_table("事项编码\n".encode() + b"," * (10 * MEGABYTE - 20), "x.csv", KNOWN)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * MEGABYTE
    # Blank records count towards the limit too (twice the data rows, and the title rows).
    blank = "事项编码\n".encode() + b"\n" * (10 * MEGABYTE - 20)
    with pytest.raises(TableFault, match="第 200006 行：超过 200005 行（空行也计）"):
        read_table(blank, "x.csv", KNOWN)


_BOOK = write_xlsx([("s", [["事项编码", "备注"], *[[f"A{n}", "甲乙" * n] for n in range(20)]])])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_BOOK) - 1), st.binary(min_size=1, max_size=4)),
                min_size=1, max_size=8))  # fmt: skip
def test_a_damaged_workbook_reads_or_is_refused_never_crashes(
    edits: list[tuple[int, bytes]],
) -> None:
    data = bytearray(_BOOK)
    for offset, replacement in edits:
        data[offset : offset + len(replacement)] = replacement
    # A table, or InvalidInput (422: TableFault, or no header found); any other error fails.
    with contextlib.suppress(InvalidInput):
        read_table(bytes(data), "x.xlsx", KNOWN)


def test_a_nul_character_in_a_cell_is_a_row_error() -> None:
    # No database text type stores U+0000 (PostgreSQL refuses it): it must not reach one.
    with pytest.raises(TableFault, match=r"第 3 行（第 2 列）：单元格含空字符 U\+0000"):
        read_table("事项编码,备注\r\nA,ok\r\nB,x\x00y\r\n".encode(), "x.csv", KNOWN)
