"""Proof-list files as offices produce them (CSV in UTF-8 or GBK, XLSX) and ready-made items."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy.orm import Session

from certfree.proofs import BasisDraft, BasisLevel, ItemDraft, ProofItemView, Way, add_item

HEADERS = (
    "证明事项编码",
    "证明事项名称",
    "证明内容",
    "原开具部门",
    "设定依据",
    "依据层级",
    "文号",
    "条款",
    "办理方式",
    "排除领域",
    "备注",
)

MARRIAGE_REGULATION = BasisDraft(
    "婚姻登记条例", BasisLevel.ADMINISTRATIVE_REGULATION, "第五条", "国务院令第387号"
)
LOCAL_NOTICE = BasisDraft("关于规范婚姻登记材料的通知", BasisLevel.NORMATIVE_DOCUMENT, "第二条")


def csv_bytes(
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8",
    headers: Sequence[str] = HEADERS,
    title: str | None = None,
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if title:
        writer.writerow([title])
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[str]], *, headers: Sequence[str] = HEADERS, title: str | None = None
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def item(
    session: Session,
    code: str,
    *bases: BasisDraft,
    ways: Sequence[Way] = (Way.DATA_SHARING,),
    name: str | None = None,
) -> ProofItemView:
    """Add an item as a bureau admin would."""
    draft = ItemDraft(
        code=code,
        name=name or f"证明事项{code}",
        fact="申请人的某项事实",
        issuing_department="民政部门",
        ways=ways,
        bases=bases,
    )
    return add_item(session, draft, "admin-1", "测试新增")
