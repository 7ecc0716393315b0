"""Importing a proof list from CSV or XLSX with Chinese column headers.

One row per (item, legal basis): an item with several bases repeats its code on further rows,
whose other item columns are either blank or the same. Every row is checked before anything
is written; if any row is wrong, :class:`ImportRejected` lists each row, column and reason and
nothing is stored. Otherwise each item is added, or amended to match the file (fields and
bases), each change logged like any other with the actor and reason of the import.

An item the list has abolished stays abolished (an abolition is final, 清单之外无证明): its rows
are passed over and named in the report's ``abolished``, so a list exported before the
abolition — or the working list, which shows abolished items — imports as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.errors import CertfreeError
from certfree.nodes import DepartmentKind
from certfree.proofs.errors import ImportRejected
from certfree.proofs.models import LegalDocument, ProofItem
from certfree.proofs.registry import (
    BasisDraft,
    ItemDraft,
    add_item,
    amend_item,
    check_code,
    check_ways,
    clean_title,
    log_change,
    replace_bases,
)
from certfree.proofs.vocab import BasisLevel, ChangeKind, ExcludedArea, ProofItemStatus, Way
from certfree.tabular import ImportReport as TableImportReport
from certfree.tabular import RowError, column_positions, pick, read_table

__all__ = ["COLUMNS", "ProofImportReport", "RowError", "import_proof_list"]

# Column key: accepted headers (the first is what the exporter writes).
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("证明事项编码", "事项编码", "编码", "code"),
    "name": ("证明事项名称", "事项名称", "名称", "name"),
    "fact": ("证明内容", "证明事实", "fact"),
    "department": ("原开具部门", "开具部门", "开具单位", "issuing_department"),
    "kind": ("部门类别", "department_kind"),
    "title": ("设定依据", "依据名称", "法律依据", "document_title"),
    "level": ("依据层级", "效力层级", "level"),
    "number": ("文号", "document_number"),
    "article": ("条款", "依据条款", "article"),
    "ways": ("办理方式", "替代方式", "ways"),
    "area": ("排除领域", "excluded_area"),
    "note": ("备注", "note"),
}
REQUIRED = ("code", "name", "fact", "department", "ways")
_ITEM_KEYS = ("name", "fact", "department", "kind", "ways", "area", "note")
_NONE = {"", "无", "-", "—", "/", "none"}
_SEPARATORS = re.compile(r"[；;、,，/\s]+")
_DEPARTMENT_WORDS = {
    "派出所": DepartmentKind.GA,
    "不动产": DepartmentKind.ZR,
    "医院": DepartmentKind.WJ,
}

E = TypeVar("E")


@dataclass
class ProofImportReport(TableImportReport):
    """The file read, what was added, amended or left unchanged, and items flagged to abolish."""

    added: list[str] = field(default_factory=list)
    amended: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    abolished: list[str] = field(default_factory=list)  # rows passed over: item abolished

    @property
    def stored(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            **super().as_json(),
            "added": self.added,
            "amended": self.amended,
            "unchanged": self.unchanged,
            "flagged": self.flagged,
            "abolished": self.abolished,
            "errors": [e.as_json() for e in self.errors],
            "stored": self.stored,
        }


def _lookup(enum_class: type[E], labels: Callable[[Any], tuple[str, ...]]) -> dict[str, E]:
    table: dict[str, E] = {}
    for member in enum_class:  # type: ignore[attr-defined]
        for label in (member.value, *labels(member)):
            table[label.lower()] = member
    return table


_WAYS = _lookup(Way, lambda w: (w.label_zh,))
_WAYS.update({"取消": Way.CANCELLED, "数据共享": Way.DATA_SHARING, "纸质": Way.PAPER})
_WAYS.update(
    {"纸质证明材料": Way.PAPER, "保留纸质证明": Way.PAPER, "电子证照核验": Way.E_CERTIFICATE}
)
_LEVELS = _lookup(BasisLevel, lambda b: (b.label_zh,))
_LEVELS.update(
    {"其他规范性文件": BasisLevel.NORMATIVE_DOCUMENT, "规章": BasisLevel.DEPARTMENTAL_RULE}
)
_AREAS = _lookup(ExcludedArea, lambda a: (a.label_zh,))
_AREAS.update(
    {"生态环境": ExcludedArea.ECOLOGICAL_ENVIRONMENT, "外交": ExcludedArea.FOREIGN_AFFAIRS}
)
_AREAS.update({"人身健康、生命财产安全": ExcludedArea.LIFE_HEALTH_PROPERTY})
_AREAS.update({"人身健康生命财产安全": ExcludedArea.LIFE_HEALTH_PROPERTY})
_KINDS = _lookup(DepartmentKind, lambda k: (k.name_zh,))


class _RowFault(Exception):
    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key, self.reason = key, reason


def _parse(table: dict[str, E], text: str, key: str, what: str) -> E:
    found = table.get(text.strip().lower())
    if found is None:
        choices = "、".join(sorted({k for k in table if not k.isascii()}))
        raise _RowFault(key, f"无法识别的{what}「{text}」；可填：{choices}")
    return found


def _kind(cells: dict[str, str]) -> DepartmentKind | None:
    if cells.get("kind", "").strip().lower() not in _NONE:
        return _parse(_KINDS, cells["kind"], "kind", "部门类别")
    department = cells["department"]
    for kind in DepartmentKind:
        if kind.name_zh in department:
            return kind
    return next((k for word, k in _DEPARTMENT_WORDS.items() if word in department), None)


def _draft(code: str, cells: dict[str, str]) -> ItemDraft:
    for key in ("name", "fact", "department", "ways"):
        if not cells.get(key, "").strip():
            raise _RowFault(key, "不能为空")
    area_text = cells.get("area", "").strip()
    area = None if area_text.lower() in _NONE else _parse(_AREAS, area_text, "area", "排除领域")
    ways = [_parse(_WAYS, w, "ways", "办理方式") for w in _SEPARATORS.split(cells["ways"]) if w]
    try:
        check_ways(ways, area)
    except CertfreeError as exc:
        raise _RowFault("ways", exc.message) from exc
    return ItemDraft(
        code=code,
        name=cells["name"],
        fact=cells["fact"],
        issuing_department=cells["department"],
        ways=ways,
        excluded_area=area,
        department_kind=_kind(cells),
        note=cells.get("note") or None,
    )


def _basis(
    cells: dict[str, str], documents: dict[str, LegalDocument | BasisDraft]
) -> BasisDraft | None:
    title = clean_title(cells.get("title", ""))
    if title.lower() in _NONE:
        if cells.get("level", "").strip().lower() not in _NONE:
            raise _RowFault("level", "填写了依据层级但没有填写设定依据")
        return None
    if not cells.get("level", "").strip():
        raise _RowFault("level", f"请填写《{title}》的依据层级")
    level = _parse(_LEVELS, cells["level"], "level", "依据层级")
    number = cells.get("number", "").strip() or None
    known = documents.get(title)
    if known is not None:
        if known.level is not level:
            raise _RowFault(
                "level", f"《{title}》已登记为{known.level.label_zh}，此处为{level.label_zh}"
            )
        known_number = known.number if isinstance(known, LegalDocument) else known.document_number
        if number and known_number and number != known_number:
            raise _RowFault("number", f"《{title}》的文号为「{known_number}」，此处为「{number}」")
    draft = BasisDraft(title, level, cells.get("article", ""), number)
    documents.setdefault(title, draft)
    return draft


def _header_map(headers: tuple[str, ...], header_row: int) -> tuple[dict[str, int], list[RowError]]:
    index = column_positions(headers, COLUMNS)
    errors = [
        RowError(header_row, COLUMNS[key][0], "缺少此列") for key in REQUIRED if key not in index
    ]
    return index, errors


def import_proof_list(
    session: Session,
    data: bytes,
    filename: str,
    actor: str,
    *,
    fmt: str | None = None,
    reason: str | None = None,
) -> ProofImportReport:
    """Check every row, then store all of it or (raising ImportRejected) none of it."""
    table = read_table(
        data,
        filename,
        {n for names in COLUMNS.values() for n in names},
        fmt=fmt,
        examples=(COLUMNS["code"][0], COLUMNS["name"][0]),
    )
    report = ProofImportReport.of(filename, table)
    index, report.errors = _header_map(table.headers, table.header_row)
    if report.errors:
        raise ImportRejected(report)
    documents: dict[str, LegalDocument | BasisDraft] = {
        d.title: d for d in session.scalars(select(LegalDocument))
    }
    items: dict[str, tuple[int, dict[str, str], ItemDraft]] = {}
    bases: dict[str, list[BasisDraft]] = {}
    for number, raw in table.rows:
        cells = pick(raw, index)
        try:
            code = _checked_code(cells["code"])
            existing = session.get(ProofItem, code)
            if existing is not None and existing.status is ProofItemStatus.ABOLISHED:
                if code not in report.abolished:  # kept abolished; the report names it
                    report.abolished.append(code)
                continue
            _take_row(number, code, cells, items)
            basis = _basis(cells, documents)
            if basis is not None:
                bases.setdefault(code, []).append(basis)
        except _RowFault as fault:
            report.errors.append(RowError(number, COLUMNS[fault.key][0], fault.reason))
    if report.errors:
        raise ImportRejected(report)
    why = reason or f"导入 {filename}"
    for code, (_, _, draft) in items.items():
        _store(session, draft, bases.get(code, []), actor=actor, why=why, report=report)
    session.flush()
    report.flagged = sorted(
        code
        for code in items
        if (item := session.get(ProofItem, code)) and item.status is ProofItemStatus.TO_ABOLISH
    )
    log_change(session, ChangeKind.IMPORT, actor, why, details=report.as_json())
    return report


def _checked_code(code: str) -> str:
    try:
        check_code(code)
    except CertfreeError as exc:
        raise _RowFault("code", exc.message) from exc
    return code


def _take_row(
    number: int,
    code: str,
    cells: dict[str, str],
    items: dict[str, tuple[int, dict[str, str], ItemDraft]],
) -> None:
    """Record the item a row describes; a later row of the same item must agree with it."""
    if code not in items:
        items[code] = (number, cells, _draft(code, cells))
        return
    first_row, first, _ = items[code]
    for key in _ITEM_KEYS:
        if cells.get(key) and cells[key] != first.get(key, ""):
            raise _RowFault(key, f"与第 {first_row} 行同一事项的填写不一致")


def _store(
    session: Session,
    draft: ItemDraft,
    bases: list[BasisDraft],
    *,
    actor: str,
    why: str,
    report: ProofImportReport,
) -> None:
    item = session.get(ProofItem, draft.code)
    if item is None:
        add_item(session, _with_bases(draft, bases), actor, why)
        report.added.append(draft.code)
        return
    stamp = item.updated_at
    amend_item(
        session,
        draft.code,
        {
            "name": draft.name,
            "fact": draft.fact,
            "issuing_department": draft.issuing_department,
            "department_kind": draft.department_kind,
            "ways": list(draft.ways),
            "excluded_area": draft.excluded_area,
            "note": draft.note,
        },
        actor,
        why,
    )
    replace_bases(session, item, bases, actor, why)
    # amend_item and replace_bases touch updated_at only when something really changed.
    (report.amended if item.updated_at != stamp else report.unchanged).append(draft.code)


def _with_bases(draft: ItemDraft, bases: list[BasisDraft]) -> ItemDraft:
    return replace(draft, bases=tuple(bases))
