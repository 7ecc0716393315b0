"""Tabular files offices send — CSV or XLSX — read into rows, and the row errors of an import.

Every import (proof list, service items; later the data catalog and certificate backfill)
reads its file here and reports faults as :class:`RowError`; an import that finds any raises a
subclass of :class:`RowsRejected` and stores nothing.

Encodings: offices export from Excel on Chinese Windows, which writes CSV in the ANSI code page
(GBK, CP936). GB 18030 is its superset, so a file that is not valid UTF-8 (with or without BOM)
is decoded as GB 18030; one that is neither is refused with the byte offset at fault.

Row numbers are 1-based and count records as a spreadsheet shows them, so a cell holding a line
break does not shift the numbers a person looks up. The header row is the first of the first
five that names a known column: a title row above it ("某某市证明事项清单（2024年）") is skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from certfree.errors import InvalidInput

__all__ = [
    "MAX_BYTES",
    "ImportReport",
    "RowError",
    "RowsRejected",
    "Table",
    "column_positions",
    "decode_csv",
    "pick",
    "read_table",
]

MAX_BYTES = 10 * 1024 * 1024
HEADER_SEARCH_ROWS = 5
_XLSX_MAGIC = b"PK\x03\x04"  # an XLSX file is a ZIP archive (ECMA-376 Part 2, OPC)
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Table:
    """Headers and data rows of a file, each row with its 1-based number in the file or sheet.

    ``format`` is ``csv`` or ``xlsx``; ``encoding`` is the CSV's (``utf-8-sig``, ``utf-8`` or
    ``gb18030``) and None for XLSX. Blank rows are dropped; cells are stripped strings.
    """

    format: str
    encoding: str | None
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class RowError:
    """One fault of an imported file: its 1-based row, the column as headed, and why."""

    row: int
    column: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportReport:
    """What an import read (file, format, encoding, data rows) and the row errors it found.

    Each domain's report subclasses this and adds what it stored; its ``as_json`` extends
    this one's.
    """

    filename: str
    format: str = "csv"
    encoding: str | None = None
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @classmethod
    def of(cls, filename: str, table: Table) -> Self:
        """An empty report on ``table``, read from ``filename``."""
        return cls(filename, table.format, table.encoding, rows=len(table.rows))

    def as_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
        }


class RowsRejected(InvalidInput):
    """Rows of an imported file are wrong, so nothing was stored.

    ``report`` is the import's report; the message lists its every row, column and reason, and
    the problem+json document carries them as the extension member
    ``errors: [{row, field, detail}]`` (RFC 9457 §3.2). Domains subclass it with their own
    ``slug`` and titles, narrowing ``report`` to their own report type.
    """

    slug = "import-rejected"
    title = "Import rejected; nothing stored"
    title_zh = "导入被拒绝，未保存任何内容"

    def __init__(self, report: ImportReport) -> None:
        errors = report.errors
        lines = [f"第 {e.row} 行「{e.column}」：{e.reason}" for e in errors]
        super().__init__(
            f"{report.filename}：{len(errors)} 处错误，未导入任何内容。" + "；".join(lines),
            field=errors[0].column if errors else None,
        )
        self.report = report

    def problem_extensions(self) -> dict[str, Any]:
        return {
            "errors": [
                {"row": e.row, "field": e.column, "detail": e.reason} for e in self.report.errors
            ]
        }


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was written in: ``utf-8-sig``, ``utf-8`` or ``gb18030``.

    Raises InvalidInput (field ``file``) naming the first byte that fits neither.
    """
    if data.startswith(_UTF8_BOM):
        try:
            return data[len(_UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _undecodable(exc.start + len(_UTF8_BOM)) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise _undecodable(exc.start) from exc


def _undecodable(offset: int) -> InvalidInput:
    return InvalidInput(
        f"文件既不是 UTF-8 也不是 GBK/GB18030 编码（第 {offset} 字节）；请另存为 UTF-8 CSV",
        field="file",
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    # A code some exporter stored as the float 3701.0 is the code 3701.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):  # datetime too (a subclass)
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes) -> tuple[str, list[tuple[int, list[str]]]]:
    text, encoding = decode_csv(data)
    first = text.split("\n", 1)[0]
    # Tab-separated text is what "copy from Excel" produces; otherwise RFC 4180 commas.
    dialect = csv.excel_tab if "\t" in first and "," not in first else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    return encoding, [(n, [c.strip() for c in row]) for n, row in enumerate(reader, start=1)]


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    # openpyxl ships no type hints (types-openpyxl is not a dependency); every value read is
    # passed through _cell. Imported here so that CSV-only callers never load it.
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


def read_table(
    data: bytes,
    filename: str,
    known_headers: Collection[str],
    *,
    fmt: str | None = None,
    examples: Sequence[str] = (),
    max_bytes: int = MAX_BYTES,
) -> Table:
    """The rows of a CSV file, or of the first sheet of an XLSX workbook.

    The format is ``fmt`` if given (``csv`` or ``xlsx``), else XLSX for a ``.xlsx`` name or
    ZIP content, else CSV. The header row is the first of the first five rows with a cell in
    ``known_headers``; ``examples`` are named in the error when none has. Raises InvalidInput
    for a file that is empty, larger than ``max_bytes``, undecodable or has no header row.
    """
    if len(data) > max_bytes:
        raise InvalidInput(f"文件过大（{len(data)} 字节，上限 {max_bytes}）", field="file")
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
    wanted = set(known_headers)
    for index, (number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if wanted & set(cells):
            body = tuple((n, tuple(c)) for n, c in rows[index + 1 :] if any(c))
            return Table(chosen, encoding, number, tuple(cells), body)
    named = "".join(f"「{e}」" for e in examples)
    raise InvalidInput(
        f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头{f'（如{named}）' if named else ''}；请检查文件",
        field="file",
    )


def column_positions(
    headers: Sequence[str], columns: Mapping[str, Collection[str]]
) -> dict[str, int]:
    """Column key → index of the first header that is one of the key's accepted names."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        for key, accepted in columns.items():
            if header.strip() in accepted and key not in found:
                found[key] = index
    return found


def pick(cells: Sequence[str], positions: Mapping[str, int]) -> dict[str, str]:
    """Column key → the row's stripped cell ("" where the row is shorter than the header)."""
    return {key: (cells[i] if i < len(cells) else "").strip() for key, i in positions.items()}
