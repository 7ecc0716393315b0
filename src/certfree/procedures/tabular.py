"""Reading a service-item file: CSV (UTF-8 with or without BOM, GBK/GB18030) or XLSX.

Offices export from Excel on Chinese Windows, which writes CSV in the ANSI code page (GBK,
CP936); GB 18030 is its superset, so a file that is not valid UTF-8 is read as GB 18030. The
header row is the first of the first five rows that names a known column (a title row above
it is skipped).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Collection
from dataclasses import dataclass

from certfree.errors import InvalidInput

__all__ = ["MAX_BYTES", "Table", "read_table"]

MAX_BYTES = 20 * 1024 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_HEADER_SEARCH_ROWS = 5


@dataclass(frozen=True, slots=True)
class Table:
    """Headers and data rows, each row with its 1-based number in the file or sheet."""

    format: str
    encoding: str | None
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InvalidInput("文件既不是 UTF-8 也不是 GBK/GB18030 编码；请另存为 UTF-8 CSV", field="file")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    # openpyxl ships no type hints; every value read is passed through _cell.
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # noqa: PLC0415

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(f"无法读取 XLSX 文件：{exc}", field="file") from exc
    try:
        return [
            (number, [_cell(v) for v in values])
            for number, values in enumerate(
                workbook.worksheets[0].iter_rows(values_only=True), start=1
            )
        ]
    finally:
        workbook.close()


def read_table(data: bytes, filename: str, known_headers: Collection[str]) -> Table:
    """The rows of the file (CSV) or of its first sheet (XLSX, by extension or content)."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"文件过大（{len(data)} 字节，上限 {MAX_BYTES}）", field="file")
    if not data.strip():
        raise InvalidInput("文件为空", field="file")
    encoding: str | None = None
    if filename.lower().endswith(".xlsx") or data.startswith(_XLSX_MAGIC):
        fmt, rows = "xlsx", _xlsx_rows(data)
    else:
        text, encoding = _decode(data)
        # Records are numbered as a spreadsheet shows them, even if a cell holds a line break.
        reader = csv.reader(io.StringIO(text, newline=""))
        fmt, rows = "csv", [(n, [c.strip() for c in row]) for n, row in enumerate(reader, 1)]
    for index, (number, cells) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if set(known_headers) & set(cells):
            body = tuple((n, tuple(c)) for n, c in rows[index + 1 :] if any(value for value in c))
            return Table(fmt, encoding, number, tuple(cells), body)
    raise InvalidInput(
        "前 5 行中没有找到表头（如「事项编码」「事项名称」「实施机构」）；请检查文件",
        field="file",
    )
