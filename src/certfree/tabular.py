"""Tabular files offices send — CSV or XLSX — read into rows, and the row errors of an import.

Every import (proof list, service items, data catalog, certificate backfill) reads its file
here and reports faults as :class:`RowError`; an import that finds any raises a subclass of
:class:`RowsRejected` and stores nothing.

Encodings: offices export from Excel on Chinese Windows, which writes CSV in the ANSI code page
(GBK, CP936). GB 18030 is its superset, so a file that is not valid UTF-8 (with or without BOM)
is decoded as GB 18030; one that is neither is refused with the byte offset at fault.

Row numbers are 1-based and count records as a spreadsheet shows them, so a cell holding a line
break does not shift the numbers a person looks up. The header row is the first of the first
five that names a known column: a title row above it ("某某市证明事项清单（2024年）") is skipped.

Limits (:class:`Limits`): a file is read as a stream and refused, naming the row, once it
passes the limit on rows, columns or characters in a cell (32,767, Excel's own), or for an
XLSX the limit on its uncompressed size (:mod:`certfree.xlsx`), so a small hostile file
cannot take the node's memory. A fault met while reading is :class:`TableFault` (422).

Formulas: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
a formula to a spreadsheet, so every export writes it behind a single quote
(:func:`escape_cell`, as OWASP's "CSV Injection" advises), and every import drops that quote
again (:func:`unescape_cell`): an exported list re-imports to the same values. A quote is
written before a cell that begins with a quote as well, so the rule reverses exactly; and a
spreadsheet itself treats a leading quote as a mark meaning "text", not as part of the value.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar, cast

from certfree.errors import InvalidInput

__all__ = [
    "ENCODINGS",
    "LIMITS",
    "MAX_BYTES",
    "XLSX_MAGIC",
    "ImportReport",
    "Limits",
    "RowError",
    "RowsRejected",
    "Table",
    "TableFault",
    "column_positions",
    "decode_csv",
    "escape_cell",
    "pick",
    "read_table",
    "text_encoding",
    "unescape_cell",
]

MAX_BYTES = 10 * 1024 * 1024
# What an office's CSV may be declared as (``encoding=``): the Unicode forms and the Chinese
# national code pages; anything else (a codec such as rot13 or idna is no text encoding of a
# table) is refused.
ENCODINGS = frozenset(
    {"utf_8", "utf_8_sig", "utf_16", "utf_16_le", "utf_16_be", "gbk", "gb2312", "gb18030",
     "big5", "big5hkscs"}
)  # fmt: skip
# OWASP "CSV Injection": what a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_SEARCH_ROWS = 5
V = TypeVar("V")
XLSX_MAGIC = b"PK\x03\x04"  # an XLSX file is a ZIP archive (ECMA-376 Part 2, OPC)
_UTF8_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile("\r\n|\r|\n")  # as io.StringIO(newline="") splits lines


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of a file an import reads before refusing it.

    ``max_rows`` counts rows holding a value (a CSV's blank records may number as many
    again), ``max_columns`` the columns up to a row's last value, ``max_cell`` characters
    (Excel's own limit per cell), ``max_expanded`` the bytes of an XLSX's parts once
    uncompressed.
    """

    max_rows: int = 100_000
    max_columns: int = 64
    max_cell: int = 32_767
    max_expanded: int = 64 * 1024 * 1024


LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Table:
    """Headers and data rows of a file, each row with its 1-based number in the file or sheet.

    ``format`` is ``csv`` or ``xlsx``; ``encoding`` is the CSV's (``utf-8-sig``, ``utf-8`` or
    ``gb18030``) and None for XLSX. Blank rows are dropped; cells are stripped strings, the
    quote an export put before a formula-like value dropped, and a row is at least as wide as
    the header.
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


class TableFault(InvalidInput):
    """The file cannot be read as a table, or passes a limit, at ``row`` (when known).

    The problem+json document carries ``errors: [{row, field, detail}]`` as a rejected import's
    does, ``field`` being the cell (``B7``) or the column where known, else ``file``.
    """

    def __init__(self, reason: str, row: int | None = None, column: str | None = None) -> None:
        where = f"第 {row} 行{f'（{column}）' if column else ''}：" if row else ""
        super().__init__(where + reason, field="file")
        self.reason, self.row, self.column = reason, row, column

    def problem_extensions(self) -> dict[str, Any]:
        if self.row is None:
            return {}
        return {
            "errors": [{"row": self.row, "field": self.column or "file", "detail": self.reason}]
        }


def escape_cell(value: V) -> V:
    """A cell for an exported CSV or XLSX: text that a spreadsheet would run as a formula gets
    a leading single quote (OWASP "CSV Injection"), as does text that begins with a quote, so
    that :func:`unescape_cell` gives back the value. Other values are returned as they are."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, "'")):
        return cast(V, "'" + value)
    return value


def unescape_cell(text: str) -> str:
    """The value of a cell that :func:`escape_cell` wrote (its leading quote dropped)."""
    if text.startswith("'") and text[1:].startswith((*FORMULA_STARTS, "'")):
        return text[1:]
    return text


def text_encoding(name: str) -> str:
    """The codec of a CSV encoding a caller names (``gbk``, ``UTF-8`` …); InvalidInput (field
    ``encoding``) for a name that is unknown or no encoding a table is written in."""
    try:
        codec = codecs.lookup(name).name.replace("-", "_")
    except (LookupError, ValueError, TypeError):
        codec = ""
    if codec not in ENCODINGS:
        raise InvalidInput(
            f"不支持的编码「{name[:40]}」；可选 utf-8、gbk、gb18030、big5、utf-16",
            field="encoding",
        )
    return codec


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


def _csv_rows(data: bytes, limits: Limits) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    text, encoding = decode_csv(data)
    first = text.split("\n", 1)[0]
    # Tab-separated text is what "copy from Excel" produces; otherwise RFC 4180 commas.
    dialect = csv.excel_tab if "\t" in first and "," not in first else csv.excel
    lines = _bounded_lines(text, limits)
    return encoding, _records(csv.reader(lines, dialect), limits)


def _bounded_lines(text: str, limits: Limits) -> Iterator[str]:
    """The text's lines, refusing one longer than a record of the widest cells could be.

    csv splits a line into a list before any limit is looked at: 10 MB of commas would be
    ten million cells. A record within the limits, each cell quoted with every character a
    doubled quote, is at most ``max_columns × (2 × max_cell + 3)`` characters.
    """
    longest = limits.max_columns * (2 * limits.max_cell + 3)
    start = 0
    for end in itertools.chain((m.end() for m in _LINE_END.finditer(text)), [len(text)]):
        if end - start > longest:
            raise TableFault(f"一行超过 {longest} 个字符")
        if end > start:
            yield text[start:end]
        start = end


def _records(reader: Iterator[list[str]], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    # Blank records count too, at most as many again as data rows: ten million empty lines
    # are no table, and reading them would only keep the node busy.
    most = 2 * limits.max_rows + HEADER_SEARCH_ROWS
    number = 0
    while True:
        number += 1
        if number > most:
            raise TableFault(f"超过 {most} 行（空行也计）", number)
        try:
            row = next(reader)
        except StopIteration:
            return
        except TableFault as fault:  # a line too long (_bounded_lines)
            raise TableFault(fault.reason, number) from None
        except csv.Error as exc:
            if "field limit" in str(exc):  # csv's own limit, 131,072 characters (128 Ki)
                reason = f"单元格超过 {csv.field_size_limit()} 个字符"
            else:
                reason = f"无法按 CSV 读取：{exc}"
            raise TableFault(reason, number) from None
        if len(row) > limits.max_columns:  # Excel pads rows with empty cells: those may go
            if any(c.strip() for c in itertools.islice(row, limits.max_columns, None)):
                raise TableFault(f"超过 {limits.max_columns} 列", number)
            del row[limits.max_columns :]
        cells = [c.strip() for c in row]
        for index, cell in enumerate(cells):
            if len(cell) > limits.max_cell:
                column = f"第 {index + 1} 列"
                raise TableFault(f"单元格超过 {limits.max_cell} 个字符", number, column)
            if "\x00" in cell:  # no database text type stores it (PostgreSQL refuses it)
                raise TableFault("单元格含空字符 U+0000", number, f"第 {index + 1} 列")
        yield number, cells


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    # Imported here so that CSV-only callers never load the XLSX reader (nor openpyxl).
    from certfree.xlsx import SheetFault, SheetLimits, sheet_rows  # noqa: PLC0415

    try:
        for number, cells in sheet_rows(
            data,
            SheetLimits(limits.max_rows, limits.max_columns, limits.max_cell, limits.max_expanded),
        ):
            yield number, list(cells)
    except SheetFault as fault:
        if fault.row is None:
            raise TableFault(f"无法读取 XLSX 文件：{fault.reason}") from None
        raise TableFault(fault.reason, fault.row, fault.cell) from None


def read_table(
    data: bytes,
    filename: str,
    known_headers: Collection[str],
    *,
    fmt: str | None = None,
    examples: Sequence[str] = (),
    max_bytes: int = MAX_BYTES,
    limits: Limits = LIMITS,
) -> Table:
    """The rows of a CSV file, or of the first sheet of an XLSX workbook.

    The format is ``fmt`` if given (``csv`` or ``xlsx``), else XLSX for a ``.xlsx`` name or
    ZIP content, else CSV. The header row is the first of the first five rows with a cell in
    ``known_headers``; ``examples`` are named in the error when none has. Raises InvalidInput
    for a file that is empty, larger than ``max_bytes``, undecodable or has no header row, and
    TableFault for one that cannot be parsed or passes ``limits``.
    """
    if len(data) > max_bytes:
        raise InvalidInput(f"文件过大（{len(data)} 字节，上限 {max_bytes}）", field="file")
    if not data.strip():
        raise InvalidInput("文件为空", field="file")
    chosen = (fmt or "").lower() or (
        "xlsx" if filename.lower().endswith(".xlsx") or data.startswith(XLSX_MAGIC) else "csv"
    )
    if chosen not in {"csv", "xlsx"}:
        raise InvalidInput(f"不支持的格式「{fmt}」；可选 csv、xlsx", field="format")
    encoding: str | None = None
    if chosen == "xlsx":
        rows = _xlsx_rows(data, limits)
    else:
        if data.startswith(XLSX_MAGIC):
            raise InvalidInput("这是 XLSX 文件，请用 --format xlsx", field="format")
        encoding, rows = _csv_rows(data, limits)
    wanted = set(known_headers)
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        if wanted & set(cells):
            headers = tuple(unescape_cell(c) for c in cells)
            return Table(chosen, encoding, number, headers, _body(rows, len(headers), limits))
    named = "".join(f"「{e}」" for e in examples)
    raise InvalidInput(
        f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头{f'（如{named}）' if named else ''}；请检查文件",
        field="file",
    )


def _body(
    rows: Iterator[tuple[int, list[str]]], width: int, limits: Limits
) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """The data rows that hold a value, each at least as wide as the header, quotes dropped."""
    body: list[tuple[int, tuple[str, ...]]] = []
    for number, cells in rows:
        if not any(cells):
            continue
        if len(body) >= limits.max_rows:
            raise TableFault(f"超过 {limits.max_rows} 行数据", number)
        padded = [unescape_cell(c) for c in cells] + [""] * (width - len(cells))
        body.append((number, tuple(padded)))
    return tuple(body)


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
