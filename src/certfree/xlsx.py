"""The first sheet of an XLSX workbook, read as a stream in bounded memory (ECMA-376 Part 1).

openpyxl, even in read-only mode, fills in every row missing before the last one and pads
each row to the width the sheet declares in ``<dimension>`` before the caller sees it (1.5 KB
declaring ``A1:CV1048576`` made it allocate a gigabyte), keeps every shared string, and
reports a fault in the sheet without its row. A workbook an office sends is untrusted, so its
parts are parsed here with expat, a chunk at a time:

* the archive (ECMA-376 Part 2, a ZIP): at most :data:`MAX_MEMBERS` members, whose declared
  uncompressed sizes together stay within ``max_expanded``; the bytes actually inflated are
  counted against the same budget (zipfile itself stops a member at its declared size and
  fails its CRC), so a deflate bomb is refused before it is expanded;
* XML: a document type declaration is refused outright, which rules out entity expansion
  ("billion laughs") and external entities (XXE): SpreadsheetML never needs one;
* cells: only the cells that hold a value are kept, a row as wide as its last such cell; a
  row beyond ``max_columns``, a cell longer than ``max_cell`` characters, more than
  ``max_rows`` rows, a row number out of order, a shared string that does not exist, a number
  that is not finite and a date outside Excel's range (serials 0 – 2,958,465, i.e. to
  9999-12-31) are faults of that row.

Values come out as the text a person sees: numbers as typed (``3701``, ``2.5``), date-formatted
numbers as ISO 8601 (``2024-06-01``, with the time when it is not midnight), booleans as
``TRUE``/``FALSE``, error values as written (``#N/A``). The cached result of a formula is read;
the formula itself never is.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

# openpyxl ships no type hints; only its tables of Excel's number formats and its serial-date
# conversion (with the 1900 leap-year quirk) are used.
from openpyxl.styles.numbers import (  # type: ignore[import-untyped]
    BUILTIN_FORMATS,
    is_date_format,
)
from openpyxl.utils.datetime import (  # type: ignore[import-untyped]
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
)

__all__ = ["MAX_MEMBERS", "SheetFault", "SheetLimits", "sheet_rows"]

MAX_MEMBERS = 10_000
EXCEL_MAX_ROW = 1_048_576  # ECMA-376 Part 1 §18.3.1.73 row r: 1 to 1,048,576
EXCEL_MAX_COLUMN = 16_384  # XFD
EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31, the last day Excel shows
MAX_STYLES = 65_536  # Excel keeps at most 64,000 cell formats
_CHUNK = 64 * 1024
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d*)")
_INTEGER = re.compile(r"[+-]?\d{1,20}")


class SheetFault(ValueError):
    """The workbook is unreadable or exceeds a limit; ``row`` and ``cell`` say where if known."""

    def __init__(self, reason: str, row: int | None = None, cell: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.row, self.cell = reason, row, cell


@dataclass(frozen=True, slots=True)
class SheetLimits:
    max_rows: int  # rows holding a value, the header and any title row included
    max_columns: int
    max_cell: int  # characters
    max_expanded: int  # bytes, every part of the archive uncompressed


class _Budget:
    """Bytes inflated so far, against the limit on the archive's uncompressed size."""

    def __init__(self, limit: int) -> None:
        self.limit, self.spent = limit, 0

    def spend(self, size: int) -> None:
        self.spent += size
        if self.spent > self.limit:
            raise SheetFault(f"解压后超过 {self.limit} 字节")


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _refuse_dtd(*_: object) -> None:
    raise SheetFault("含有 DTD（文档类型声明）；XLSX 不使用 DTD，可能是构造的攻击文件")


class _Archive:
    def __init__(self, data: bytes, limits: SheetLimits) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise SheetFault(f"不是有效的 XLSX（ZIP）文件：{exc}") from None
        members = self.zip.infolist()
        if len(members) > MAX_MEMBERS:
            raise SheetFault(f"压缩包内有 {len(members)} 个部件，上限 {MAX_MEMBERS}")
        declared = sum(m.file_size for m in members)
        if declared > limits.max_expanded:
            raise SheetFault(f"解压后共 {declared} 字节，上限 {limits.max_expanded}")
        self.parts = {m.filename.lstrip("/").lower(): m for m in members}
        self.budget = _Budget(limits.max_expanded)

    def parse(
        self,
        name: str,
        start: Callable[[str, dict[str, str]], None],
        end: Callable[[str], None] | None = None,
        text: Callable[[str], None] | None = None,
    ) -> bool:
        """Parse part ``name`` whole; False if the archive lacks it."""
        member = self.parts.get(name.lower())
        if member is None:
            return False
        for _ in self.chunks(member, start, end, text):
            pass
        return True

    def chunks(
        self,
        member: zipfile.ZipInfo,
        start: Callable[[str, dict[str, str]], None],
        end: Callable[[str], None] | None = None,
        text: Callable[[str], None] | None = None,
    ) -> Iterator[None]:
        """Feed ``member`` to expat, pausing after each chunk (handlers are called in it)."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        parser.StartElementHandler = lambda tag, attrs: start(_local(tag), attrs)
        if end is not None:
            parser.EndElementHandler = lambda tag: end(_local(tag))
        if text is not None:
            parser.CharacterDataHandler = text
            parser.buffer_text = True
        try:
            with self.zip.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    self.budget.spend(len(chunk))
                    parser.Parse(chunk, False)
                    yield
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise SheetFault(f"{member.filename} 的 XML 格式错误：{exc}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
            # RuntimeError: an encrypted member; NotImplementedError (a subclass): an unknown
            # compression method.
            raise SheetFault(f"无法解压 {member.filename}：{exc}") from None
        yield


def _target(base: str, target: str) -> str:
    """A relationship's target as a part name (ECMA-376 Part 2 §9.3: relative to the source)."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relationships(archive: _Archive, source: str) -> dict[str, tuple[str, str]]:
    """Id → (type, part name) of the internal relationships of part ``source``."""
    folder, name = posixpath.split(source)
    found: dict[str, tuple[str, str]] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "Relationship" and attrs.get("TargetMode") != "External":
            if len(found) >= MAX_MEMBERS:
                raise SheetFault("关系过多")
            found[attrs.get("Id", "")] = (
                attrs.get("Type", ""),
                _target(source, attrs.get("Target", "")),
            )

    archive.parse(posixpath.join(folder, "_rels", name + ".rels"), start)
    return found


def _workbook(archive: _Archive) -> tuple[str, dict[str, tuple[str, str]], dt.datetime]:
    """The workbook part, its relationships and its date epoch (1900 or 1904)."""
    path = "xl/workbook.xml"
    for kind, target in _relationships(archive, "").values():
        if kind.endswith("/officeDocument"):
            path = target
    first_sheet: list[str] = []
    epoch = [CALENDAR_WINDOWS_1900]

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "sheet" and not first_sheet:
            first_sheet.append(attrs.get(f"{_REL} id", ""))
        elif tag == "workbookPr" and attrs.get("date1904", "").lower() in {"1", "true"}:
            epoch[0] = CALENDAR_MAC_1904

    if not archive.parse(path, start):
        raise SheetFault("不是 XLSX 工作簿：缺少 workbook.xml")
    relationships = _relationships(archive, path)
    if not first_sheet or first_sheet[0] not in relationships:
        raise SheetFault("工作簿中没有工作表")
    sheet = relationships[first_sheet[0]][1]
    return sheet, relationships, epoch[0]


def _shared_strings(archive: _Archive, part: str | None, limits: SheetLimits) -> list[str | None]:
    """The shared strings (§18.4), None for one longer than ``max_cell`` (a fault if used)."""
    strings: list[str | None] = []
    if part is None:
        return strings
    pieces: list[str] = []
    state = {"size": 0, "in_t": False, "phonetic": 0}
    most = max(limits.max_rows * limits.max_columns, 1)

    def start(tag: str, _attrs: dict[str, str]) -> None:
        if tag == "si":
            pieces.clear()
            state["size"] = 0
        elif tag == "rPh":  # phonetic guide (§18.4.6), not part of the text
            state["phonetic"] += 1
        elif tag == "t" and not state["phonetic"]:
            state["in_t"] = True

    def end(tag: str) -> None:
        if tag == "si":
            if len(strings) >= most:
                raise SheetFault(f"共享字符串超过 {most} 个")
            too_long = state["size"] > limits.max_cell
            strings.append(None if too_long else "".join(pieces))
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "t":
            state["in_t"] = False

    def text(data: str) -> None:
        if state["in_t"]:
            state["size"] += len(data)
            if state["size"] <= limits.max_cell:
                pieces.append(data)

    archive.parse(part, start, end, text)
    return strings


def _date_styles(archive: _Archive, part: str | None) -> set[int]:
    """Indices of the cell formats (§18.8.10 cellXfs) whose number format shows a date."""
    if part is None:
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    depth = {"cellXfs": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "numFmt" and len(custom) < MAX_STYLES:
            custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            depth["cellXfs"] += 1
        elif tag == "xf" and depth["cellXfs"]:
            if len(formats) >= MAX_STYLES:
                raise SheetFault(f"单元格格式超过 {MAX_STYLES} 个")
            formats.append(_int(attrs.get("numFmtId")))

    def end(tag: str) -> None:
        if tag == "cellXfs":
            depth["cellXfs"] -= 1

    archive.parse(part, start, end)
    dated = set()
    for index, number in enumerate(formats):
        code = custom.get(number, BUILTIN_FORMATS.get(number, ""))
        if code and is_date_format(code):
            dated.add(index)
    return dated


def _int(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return -1


def _column(letters: str) -> int:
    """A → 1, Z → 26, AA → 27 (the column of a cell reference)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Sheet:
    """The worksheet's expat handlers (§18.3.1.99 sheetData, §18.3.1.73 row, §18.3.1.4 c)."""

    def __init__(
        self,
        limits: SheetLimits,
        strings: list[str | None],
        dated: set[int],
        epoch: dt.datetime,
    ) -> None:
        self.limits, self.strings, self.dated, self.epoch = limits, strings, dated, epoch
        self.ready: list[tuple[int, tuple[str, ...]]] = []
        self.row, self.kept = 0, 0
        self.cells: dict[int, str] = {}
        self.column, self.kind, self.style = 0, "n", -1
        self.pieces: list[str] = []
        self.size = 0
        self.collecting, self.phonetic = False, 0

    def fault(self, reason: str) -> SheetFault:
        cell = f"{_column_letters(self.column)}{self.row}" if self.column else None
        return SheetFault(reason, self.row, cell)

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "row":
            self._start_row(attrs.get("r"))
        elif tag == "c":
            self._start_cell(attrs)
        elif tag == "rPh":
            self.phonetic += 1
        elif tag in {"v", "t"} and self.column and not self.phonetic:
            self.collecting = True

    def _start_row(self, number: str | None) -> None:
        previous = self.row
        self.row = previous + 1 if number is None else _int(number)
        self.column = 0
        if not 1 <= self.row <= EXCEL_MAX_ROW:
            raise self.fault(f"行号「{number}」无效（应为 1 至 {EXCEL_MAX_ROW}）")
        if self.row <= previous:
            raise self.fault(f"行号 {self.row} 重复或倒序（上一行为 {previous}）")
        self.cells = {}

    def _start_cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        if ref is None:
            self.column += 1
        else:
            found = _CELL_REF.fullmatch(ref)
            column = _column(found[1]) if found else 0
            if not 1 <= column <= EXCEL_MAX_COLUMN:
                raise self.fault(f"单元格引用「{ref}」无效")
            self.column = column
        self.kind, self.style = attrs.get("t", "n"), _int(attrs.get("s"))
        self.pieces, self.size = [], 0

    def text(self, data: str) -> None:
        if self.collecting:
            self.size += len(data)
            if self.size > self.limits.max_cell:
                raise self.fault(f"单元格超过 {self.limits.max_cell} 个字符")
            self.pieces.append(data)

    def end(self, tag: str) -> None:
        if tag in {"v", "t"}:
            self.collecting = False
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "c" and self.column:
            value = self._value("".join(self.pieces))
            if value:
                if self.column > self.limits.max_columns:
                    raise self.fault(f"超过 {self.limits.max_columns} 列")
                self.cells[self.column] = value
        elif tag == "row" and self.cells:
            self.kept += 1
            if self.kept > self.limits.max_rows:
                raise self.fault(f"超过 {self.limits.max_rows} 行")
            width = max(self.cells)
            self.ready.append((self.row, tuple(self.cells.get(c, "") for c in range(1, width + 1))))
            self.cells = {}

    def _value(self, raw: str) -> str:
        kind = self.kind
        if kind == "s":
            index = _int(raw)
            if not 0 <= index < len(self.strings):
                raise self.fault(f"引用了不存在的共享字符串「{raw}」")
            shared = self.strings[index]
            if shared is None:
                raise self.fault(f"单元格超过 {self.limits.max_cell} 个字符")
            return shared.strip()
        if kind in {"inlineStr", "str", "e"}:
            return raw.strip()
        if kind == "b":
            return {"1": "TRUE", "0": "FALSE"}.get(raw.strip(), raw.strip())
        if kind == "d":  # an ISO 8601 date (§18.17.4)
            try:
                return _iso(dt.datetime.fromisoformat(raw.strip()))
            except ValueError:
                raise self.fault(f"「{raw[:40]}」不是有效的日期") from None
        return self._number(raw.strip())

    def _number(self, raw: str) -> str:
        if not raw:
            return ""
        try:
            number: float = int(raw) if _INTEGER.fullmatch(raw) else float(raw)
        except ValueError:
            raise self.fault(f"「{raw[:40]}」不是数值") from None
        if not math.isfinite(number):
            raise self.fault(f"「{raw[:40]}」不是有限数值")
        if self.style in self.dated:
            if not 0 <= number <= EXCEL_MAX_SERIAL:
                raise self.fault(f"日期序号 {raw[:40]} 超出 Excel 的日期范围（至 9999-12-31）")
            try:
                when: Any = from_excel(number, self.epoch)
            except (OverflowError, ValueError):
                raise self.fault(f"日期序号 {raw[:40]} 不是有效日期") from None
            return _iso(when)
        if isinstance(number, float) and number.is_integer():
            return str(int(number))  # a code some exporter stored as 3701.0 is 3701
        return str(number)


def _iso(when: dt.datetime | dt.time) -> str:
    if isinstance(when, dt.datetime) and when.time() == dt.time(0):
        return when.date().isoformat()
    return when.isoformat()


def sheet_rows(data: bytes, limits: SheetLimits) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(row number, cells) of each row of the first sheet holding a value, in order.

    Raises SheetFault for an archive or XML that cannot be read or exceeds ``limits``.
    """
    archive = _Archive(data, limits)
    sheet, relationships, epoch = _workbook(archive)
    parts = {kind.rpartition("/")[2]: target for kind, target in relationships.values()}
    strings = _shared_strings(archive, parts.get("sharedStrings"), limits)
    dated = _date_styles(archive, parts.get("styles"))
    reader = _Sheet(limits, strings, dated, epoch)
    member = archive.parts.get(sheet.lower())
    if member is None:
        raise SheetFault(f"缺少工作表 {sheet}")
    try:
        for _ in archive.chunks(member, reader.start, reader.end, reader.text):
            ready, reader.ready = reader.ready, []
            yield from ready
    except SheetFault as fault:
        if fault.row is None and reader.row:  # an XML or archive fault: where it was met
            fault.row = reader.row
        raise
