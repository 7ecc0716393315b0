"""Hostile spreadsheets, built in code: workbooks that exhaust memory or break parsers.

Each entry of :func:`hostile_files` is a file an attacker (or a broken exporter) could send to
any import, headed by the importer's own ``header`` so that reading gets as far as the fault,
with the row the refusal must name (None for a fault of the whole file) and a fragment of the
reason. Nothing here is committed as a binary: a 492 MB deflate bomb is half a megabyte
compressed and takes a second to build.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
BOMB_MEGABYTES = 492


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    row: int | None  # the row the refusal names; None: the whole file
    reason: str  # a fragment of the refusal


def workbook(
    sheet: bytes | Iterable[bytes], *, shared: str | None = None, styles: str | None = None
) -> bytes:
    """An XLSX archive around ``sheet`` (the worksheet part, whole or in pieces)."""
    parts = [("rId1", "worksheet", "worksheets/sheet1.xml")]
    if shared is not None:
        parts.append(("rId2", "sharedStrings", "sharedStrings.xml"))
    if styles is not None:
        parts.append(("rId3", "styles", "styles.xml"))
    links = "".join(
        f'<Relationship Id="{i}" Type="{_R}/{kind}" Target="{target}"/>'
        for i, kind, target in parts
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", f'{_HEAD}<Types xmlns="{_TYPES}"/>')
        book.writestr(
            "_rels/.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_R}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_R}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG}">{links}</Relationships>',
        )
        if shared is not None:
            book.writestr("xl/sharedStrings.xml", f'{_HEAD}<sst xmlns="{_MAIN}">{shared}</sst>')
        if styles is not None:
            book.writestr(
                "xl/styles.xml", f'{_HEAD}<styleSheet xmlns="{_MAIN}">{styles}</styleSheet>'
            )
        with book.open("xl/worksheets/sheet1.xml", "w") as part:
            for piece in [sheet] if isinstance(sheet, bytes) else sheet:
                part.write(piece)
    return out.getvalue()


def sheet_xml(rows: str, *, prolog: str = "", dimension: str = "A1:A2") -> bytes:
    return (
        f'{_HEAD}{prolog}<worksheet xmlns="{_MAIN}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` with ``member``'s uncompressed size declared as ``size`` in both its headers
    (ZIP APPNOTE §4.3.7 local file header, §4.3.12 central directory header)."""
    archive = bytearray(data)
    name = member.encode()
    local = archive.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", archive, local + 26)[0]
        if archive[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", archive, local + 22, size)
        local = archive.find(b"PK\x03\x04", local + 4)
    central = archive.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", archive, central + 28)[0]
        if archive[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", archive, central + 24, size)
        central = archive.find(b"PK\x01\x02", central + 4)
    return bytes(archive)


@functools.cache
def deflate_bomb() -> bytes:
    """A 492 MB sheet of blanks in half a megabyte (refused before its header is read)."""

    def pieces() -> Iterable[bytes]:
        whole = sheet_xml(f'<row r="1">{text_cell("A1", "header")}</row>')
        closing = b"</sheetData></worksheet>"
        yield whole[: -len(closing)]
        blank = b" " * (1 << 20)
        for _ in range(BOMB_MEGABYTES):
            yield blank
        yield closing

    return workbook(pieces())


def hostile_files(header: str) -> list[Hostile]:
    """Every hostile file, each with ``header`` as the first row's first cell."""
    head = f'<row r="1">{text_cell("A1", header)}</row>'
    dated = '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'

    spaces = workbook([sheet_xml(head)[:-24], b" " * (4 << 20), b"</sheetData></worksheet>"])
    # Nine levels of ten references each: 10^9 "lol"s once expanded.
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    laughs = f'<!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>'
    return [
        # 1.5 KB that declares 100 columns × 1,048,576 rows, and fills the last cell.
        Hostile(
            "dimension",
            workbook(
                sheet_xml(
                    head + '<row r="1048576"><c r="CV1048576"><v>1</v></c></row>',
                    dimension="A1:CV1048576",
                )
            ),
            1_048_576,
            "超过 64 列",
        ),
        Hostile("deflate_bomb", deflate_bomb(), None, "解压后"),
        # Within every size limit, but blanks that expand a thousand times.
        Hostile(
            "compression_ratio",
            workbook([sheet_xml(head)[:-24], b" " * (16 << 20), b"</sheetData></worksheet>"]),
            None,
            "疑似压缩炸弹",
        ),
        Hostile(
            "lying_sizes",
            _lie_about_size(spaces, "xl/worksheets/sheet1.xml", 2048),
            None,
            "无法解压",
        ),
        Hostile(
            "billion_laughs",
            workbook(
                sheet_xml(
                    f'<row r="1">{text_cell("A1", header)}{text_cell("B1", "&lol9;")}</row>',
                    prolog=laughs,
                )
            ),
            None,
            "DTD",
        ),
        Hostile(
            "xxe",
            workbook(
                sheet_xml(
                    f'<row r="1">{text_cell("A1", header)}{text_cell("B1", "&xxe;")}</row>',
                    prolog='<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                )
            ),
            None,
            "DTD",
        ),
        Hostile(
            "malformed_xml",
            workbook(sheet_xml(head + '<row r="2"><c r="A2"><v>1</c></row>')),
            2,
            "XML 格式错误",
        ),
        Hostile(
            "undefined_entity",
            workbook(sheet_xml(head + f'<row r="2">{text_cell("A2", "&nope;")}</row>')),
            2,
            "XML 格式错误",
        ),
        Hostile(
            "shared_string_out_of_range",
            workbook(
                sheet_xml(head + '<row r="2"><c r="A2" t="s"><v>7</v></c></row>'),
                shared="<si><t>甲</t></si>",
            ),
            2,
            "不存在的共享字符串",
        ),
        Hostile(
            "nan",
            workbook(sheet_xml(head + '<row r="2"><c r="B2"><v>NaN</v></c></row>')),
            2,
            "不是有限数值",
        ),
        Hostile(
            "date_99999",
            workbook(sheet_xml(head + '<row r="3"><c r="B3" t="d"><v>99999</v></c></row>')),
            3,
            "不是有效的日期",
        ),
        Hostile(
            "date_serial_past_9999",
            workbook(
                sheet_xml(head + '<row r="4"><c r="B4" s="1"><v>99999999</v></c></row>'),
                styles=dated,
            ),
            4,
            "日期范围",
        ),
        Hostile(
            "long_cell",
            workbook(sheet_xml(head + f'<row r="2">{text_cell("B2", "长" * 40_000)}</row>')),
            2,
            "超过 32767 个字符",
        ),
        Hostile(
            "rows_out_of_order",
            workbook(sheet_xml(head + f'<row r="9">{text_cell("A9", "x")}</row><row r="5"/>')),
            5,
            "重复或倒序",
        ),
    ]


def long_field_csv(header: str) -> bytes:
    """A CSV whose second record holds a 140,000-character field (over 128 KiB)."""
    return f'{header}\r\n"{"x" * 140_000}"\r\n'.encode()
