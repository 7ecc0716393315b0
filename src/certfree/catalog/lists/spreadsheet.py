"""A streaming XLSX writer for the published lists (ECMA-376 SpreadsheetML, the minimum parts).

openpyxl (without lxml) needs over three minutes and 3 GB for a 350,000-row supply list; this
writes each row straight into the zip as inline strings (ECMA-376 Part 1 §18.3.1.53 ``is``), in
seconds, and openpyxl, Excel and LibreOffice read the result. Reading spreadsheets is
``certfree.tabular``'s. Text that a spreadsheet would take for a formula once a person edits
the cell is written behind a single quote (:func:`certfree.tabular.escape_cell`), as in CSV.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from certfree.tabular import escape_cell
from certfree.xlsx.sheet import column_letters

__all__ = ["write_xlsx"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# XML 1.0 §2.2: these control characters may not appear in a document, even escaped.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STYLES = (
    f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _cell(ref: str, value: Any) -> str:
    if value is None or value == "":
        # An empty cell still written, so readers that do not pad rows (openpyxl read-only,
        # with no <dimension>) see every row as wide as its header.
        return f'<c r="{ref}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    # A carriage return is kept as a reference: XML would read a literal one as a line feed.
    text = escape(str(escape_cell(_ILLEGAL.sub("", str(value)))), {"\r": "&#13;"})
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def write_xlsx(sheets: Sequence[tuple[str, Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per (name, rows); the first row of each is written as given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            f'ContentType="{_TYPE}.worksheet+xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        book.writestr("[Content_Types].xml", (
            f'{_HEAD}<Types xmlns="{_PKG}/content-types">'
            f'<Default Extension="rels" ContentType="{_RELS_TYPE}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>'
            f"{overrides}</Types>"
        ))  # fmt: skip
        book.writestr("_rels/.rels", (
            f'{_HEAD}<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ))  # fmt: skip
        names = "".join(
            f'<sheet name={quoteattr(name[:31])} sheetId="{n}" r:id="rId{n}"/>'
            for n, (name, _) in enumerate(sheets, 1)
        )
        book.writestr("xl/workbook.xml", (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{names}</sheets></workbook>'
        ))  # fmt: skip
        links = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        styles = len(sheets) + 1
        book.writestr("xl/_rels/workbook.xml.rels", (
            f'{_HEAD}<Relationships xmlns="{_PKG}/relationships">{links}'
            f'<Relationship Id="rId{styles}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ))  # fmt: skip
        book.writestr("xl/styles.xml", _HEAD + _STYLES)
        for n, (_, rows) in enumerate(sheets, 1):
            with book.open(f"xl/worksheets/sheet{n}.xml", "w") as sheet:
                sheet.write(f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
                columns: list[str] = []
                for r, row in enumerate(rows, 1):
                    while len(columns) < len(row):
                        columns.append(column_letters(len(columns) + 1))
                    cells = "".join(_cell(f"{columns[c]}{r}", v) for c, v in enumerate(row))
                    sheet.write(f'<row r="{r}">{cells}</row>'.encode())
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()
