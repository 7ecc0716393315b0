"""The list as files: JSON, and CSV with the same Chinese headers the importer reads.

CSV is UTF-8 with a byte-order mark so that Excel on Chinese Windows opens it as UTF-8 rather
than GBK; one row per legal basis (an item with several bases repeats its columns), which is
the layout ``import_proof_list`` reads back. Cells a spreadsheet would run as a formula are
written behind a single quote (:func:`certfree.tabular.escape_cell`), which the import drops.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from certfree.proofs.views import ProofItemView
from certfree.tabular import escape_cell

__all__ = ["CSV_HEADERS", "export_csv", "export_json"]

CSV_HEADERS = (
    "证明事项编码",
    "证明事项名称",
    "证明内容",
    "原开具部门",
    "部门类别",
    "设定依据",
    "依据层级",
    "文号",
    "条款",
    "依据状态",
    "办理方式",
    "排除领域",
    "状态",
    "取消理由",
    "备注",
)


def export_json(items: Sequence[ProofItemView], *, version: int | None) -> str:
    document: dict[str, Any] = {"version": version, "items": [i.as_json() for i in items]}
    return json.dumps(document, ensure_ascii=False, indent=2)


def export_csv(items: Sequence[ProofItemView]) -> bytes:
    """UTF-8 with BOM, CRLF line ends (RFC 4180 §2)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for item in items:
        common = (
            item.code,
            item.name,
            item.fact,
            item.issuing_department,
            item.department_kind.name_zh if item.department_kind else "",
        )
        tail = (
            "；".join(w.label_zh for w in item.ways),
            item.excluded_area.label_zh if item.excluded_area else "",
            item.status.label_zh,
            item.abolition_reason or "",
            item.note or "",
        )
        bases = item.legal_bases or (None,)
        for basis in bases:
            cited = (
                (
                    basis.document_title,
                    basis.level.label_zh,
                    basis.document_number or "",
                    basis.article,
                    "已废止" if basis.repealed else "有效",
                )
                if basis
                else ("", "", "", "", "")
            )
            writer.writerow([escape_cell(c) for c in (*common, *cited, *tail)])
    return out.getvalue().encode("utf-8-sig")
