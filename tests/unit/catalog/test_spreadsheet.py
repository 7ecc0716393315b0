"""The streaming XLSX writer: what it writes, openpyxl reads back as written."""

from __future__ import annotations

import io

from openpyxl import load_workbook  # type: ignore[import-untyped]

from certfree.catalog.lists.spreadsheet import write_xlsx


def test_values_survive_the_round_trip_in_both_reading_modes() -> None:
    wide = [f"列{n}" for n in range(30)]  # past Z: AA, AB …
    rows: list[list[object]] = [
        ["代码", "名称", "数量", "比例", "是否", "空"],
        ["101/000001", "<户籍> & \"人口\" 'x'", 3, 0.25, True, None],
        ["101/000002", "控制\x01字符\x1f被删去", 0, -1.5, False, ""],
    ]
    data = write_xlsx([("供给清单", rows), ("宽表", [wide])])
    for read_only in (False, True):
        book = load_workbook(io.BytesIO(data), read_only=read_only)
        assert book.sheetnames == ["供给清单", "宽表"]
        read = [list(r) for r in book["供给清单"].iter_rows(values_only=True)]
        assert read[0] == rows[0]
        assert read[1] == ["101/000001", "<户籍> & \"人口\" 'x'", 3, 0.25, True, None]
        assert read[2] == ["101/000002", "控制字符被删去", 0, -1.5, False, None]
        assert list(next(book["宽表"].iter_rows(values_only=True))) == wide
        book.close()
