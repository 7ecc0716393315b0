"""The parts of a workbook besides its sheet: relationships, workbook, shared strings, styles."""

from __future__ import annotations

import datetime as dt
import posixpath

# openpyxl ships no type hints; only its table of Excel's built-in number formats, its test
# of a format code for a date, and its epochs are used.
from openpyxl.styles.numbers import (  # type: ignore[import-untyped]
    BUILTIN_FORMATS,
    is_date_format,
)
from openpyxl.utils.datetime import (  # type: ignore[import-untyped]
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
)

from certfree.xlsx.archive import MAX_MEMBERS, Archive, SheetFault, SheetLimits, as_int, local

__all__ = ["MAX_STYLES", "date_styles", "shared_strings", "workbook"]

MAX_STYLES = 65_536  # Excel keeps at most 64,000 cell formats


def _target(base: str, target: str) -> str:
    """A relationship's target as a part name (ECMA-376 Part 2 §9.3: relative to the source)."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relationships(archive: Archive, source: str) -> dict[str, tuple[str, str]]:
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


def workbook(archive: Archive) -> tuple[str, dict[str, tuple[str, str]], dt.datetime]:
    """The workbook part, its relationships and its date epoch (1900 or 1904)."""
    path = "xl/workbook.xml"
    for kind, target in _relationships(archive, "").values():
        if kind.endswith("/officeDocument"):
            path = target
    first_sheet: list[str] = []
    epoch = [CALENDAR_WINDOWS_1900]

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "sheet" and not first_sheet:
            # r:id, in the transitional or the strict (ISO/IEC 29500 Strict) namespace
            first_sheet.append(next((v for k, v in attrs.items() if local(k) == "id"), ""))
        elif tag == "workbookPr" and attrs.get("date1904", "").lower() in {"1", "true"}:
            epoch[0] = CALENDAR_MAC_1904

    if not archive.parse(path, start):
        raise SheetFault("不是 XLSX 工作簿：缺少 workbook.xml")
    relationships = _relationships(archive, path)
    if not first_sheet or first_sheet[0] not in relationships:
        raise SheetFault("工作簿中没有工作表")
    sheet = relationships[first_sheet[0]][1]
    return sheet, relationships, epoch[0]


def shared_strings(archive: Archive, part: str | None, limits: SheetLimits) -> list[str | None]:
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


def date_styles(archive: Archive, part: str | None) -> set[int]:
    """Indices of the cell formats (§18.8.10 cellXfs) whose number format shows a date."""
    if part is None:
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    depth = {"cellXfs": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "numFmt" and len(custom) < MAX_STYLES:
            custom[as_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            depth["cellXfs"] += 1
        elif tag == "xf" and depth["cellXfs"]:
            if len(formats) >= MAX_STYLES:
                raise SheetFault(f"单元格格式超过 {MAX_STYLES} 个")
            formats.append(as_int(attrs.get("numFmtId")))

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
