"""The worksheet's rows and cells, read from expat's events into the text a person sees."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from openpyxl.utils.datetime import from_excel  # type: ignore[import-untyped]

from certfree.xlsx.archive import SheetFault, SheetLimits, as_int

__all__ = ["Sheet"]

EXCEL_MAX_ROW = 1_048_576  # ECMA-376 Part 1 §18.3.1.73 row r: 1 to 1,048,576
EXCEL_MAX_COLUMN = 16_384  # XFD
EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31, the last day Excel shows
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d*)")
_INTEGER = re.compile(r"[+-]?\d{1,20}")


def _column(letters: str) -> int:
    """A → 1, Z → 26, AA → 27 (the column of a cell reference)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA (a cell reference's column letters; the writer's too)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Sheet:
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
        cell = f"{column_letters(self.column)}{self.row}" if self.column else None
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
        self.row = previous + 1 if number is None else as_int(number)
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
        self.kind, self.style = attrs.get("t", "n"), as_int(attrs.get("s"))
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
            index = as_int(raw)
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
