"""The first sheet of an XLSX workbook, read as a stream in bounded memory (ECMA-376 Part 1).

openpyxl, even in read-only mode, fills in every row missing before the last one and pads
each row to the width the sheet declares in ``<dimension>`` before the caller sees it (1.5 KB
declaring ``A1:CV1048576`` made it allocate a gigabyte), keeps every shared string, and
reports a fault in the sheet without its row. A workbook an office sends is untrusted, so its
parts are parsed here with expat, a chunk at a time:

* the archive (ECMA-376 Part 2, a ZIP): at most :data:`MAX_MEMBERS` members, whose declared
  uncompressed sizes together stay within ``max_expanded`` and none of which (past 1 MiB)
  expands more than :data:`MAX_RATIO` times — XML compresses some 5 to 50 times, a deflate
  bomb of blanks a thousand; the bytes actually inflated are counted against the same budget
  (zipfile itself stops a member at its declared size and fails its CRC), so a bomb is
  refused before it is expanded;
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

from collections.abc import Iterator

from certfree.xlsx.archive import MAX_MEMBERS, MAX_RATIO, Archive, SheetFault, SheetLimits
from certfree.xlsx.parts import date_styles, shared_strings, workbook
from certfree.xlsx.sheet import Sheet

__all__ = ["MAX_MEMBERS", "MAX_RATIO", "SheetFault", "SheetLimits", "sheet_rows"]


def sheet_rows(data: bytes, limits: SheetLimits) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(row number, cells) of each row of the first sheet holding a value, in order.

    Raises SheetFault for an archive or XML that cannot be read or exceeds ``limits``.
    """
    archive = Archive(data, limits)
    sheet, relationships, epoch = workbook(archive)
    parts = {kind.rpartition("/")[2]: target for kind, target in relationships.values()}
    strings = shared_strings(archive, parts.get("sharedStrings"), limits)
    dated = date_styles(archive, parts.get("styles"))
    reader = Sheet(limits, strings, dated, epoch)
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
