"""Reading a list file: CSV (UTF-8 with or without BOM, GBK/GB18030) or XLSX, into rows.

Offices export lists from Excel on Chinese Windows, which writes CSV in the ANSI code page
(GBK, CP936); GB 18030 is its superset, so a file that is not valid UTF-8 is decoded as
GB 18030. Headers need not be on the first line: a title row above them is skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from certfree.errors import InvalidInput

__all__ = ["MAX_BYTES", "Table", "read_table"]

MAX_BYTES = 10 * 1024 * 1024
_HEADER_SEARCH_ROWS = 5
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Table:
    """Header names and data rows, each with its 1-based row number in the file or sheet."""

    format: str
    encoding: str | None
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was written in: utf-8-sig, utf-8 or gb18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"文件既不是 UTF-8 也不是 GBK/GB18030 编码（第 {exc.start} 字节）；请另存为 UTF-8 CSV",
            field="file",
        ) from exc


def _csv_rows(data: bytes) -> tuple[str, list[tuple[int, list[str]]]]:
    text, encoding = decode_csv(data)
    first = text.split("\n", 1)[0]
    # Tab-separated text is what "copy from Excel" produces; otherwise RFC 4180 commas.
    dialect = csv.excel_tab if "\t" in first and "," not in first else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = [(reader.line_num, [c.strip() for c in row]) for row in reader]
    return encoding, rows


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    # openpyxl ships no type hints (types-openpyxl is not a dependency); its values are checked.
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # noqa: PLC0415

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(f"无法读取 XLSX 文件：{exc}", field="file") from exc
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, [_cell(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _find_header(rows: Sequence[tuple[int, list[str]]], known: Iterable[str]) -> int:
    wanted = set(known)
    for index, (_, cells) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if wanted & {c.strip() for c in cells}:
            return index
    raise InvalidInput(
        "前 5 行中没有找到表头（如「证明事项编码」「证明事项名称」）；请检查文件", field="file"
    )


def read_table(data: bytes, filename: str, fmt: str | None, known_headers: Iterable[str]) -> Table:
    """Rows of the first sheet (XLSX) or of the file (CSV); ``fmt`` overrides the extension."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"文件过大（{len(data)} 字节，上限 {MAX_BYTES}）", field="file")
    if not data.strip():
        raise InvalidInput("文件为空", field="file")
    chosen = (fmt or "").lower() or (
        "xlsx" if filename.lower().endswith(".xlsx") or data.startswith(_XLSX_MAGIC) else "csv"
    )
    if chosen not in {"csv", "xlsx"}:
        raise InvalidInput(f"不支持的格式「{fmt}」；可选 csv、xlsx", field="format")
    encoding: str | None = None
    if chosen == "xlsx":
        rows = _xlsx_rows(data)
    else:
        if data.startswith(_XLSX_MAGIC):
            raise InvalidInput("这是 XLSX 文件，请用 --format xlsx", field="format")
        encoding, rows = _csv_rows(data)
    start = _find_header(rows, known_headers)
    header_row, header_cells = rows[start]
    body = tuple(
        (number, tuple(cells))
        for number, cells in rows[start + 1 :]
        if any(c.strip() for c in cells)
    )
    return Table(chosen, encoding, header_row, tuple(c.strip() for c in header_cells), body)
