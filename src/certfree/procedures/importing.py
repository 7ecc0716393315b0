"""Importing service items from CSV or XLSX with Chinese (or the platforms' English) headers.

All rows are checked before any is written: if one row is wrong, the import is refused with
every row, column and reason (ServiceImportRejected) and nothing is stored. Existing items
with the same code are replaced. An implementing organ's USCC that is missing or fails GB 32100
is a warning, not an error — published lists have many (the organ is still named), and the
item is stored without it — unless ``strict`` is set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from certfree.errors import CertfreeError, InvalidIdentifier, InvalidInput
from certfree.identifiers import parse_uscc
from certfree.nodes import DepartmentKind
from certfree.procedures.catalogue import save_service_item
from certfree.procedures.errors import ServiceImportRejected
from certfree.procedures.models import ServiceItem
from certfree.procedures.notation import parse_requirements
from certfree.procedures.schemas import ServiceItemSpec
from certfree.procedures.spec_checks import ProofList, check_spec
from certfree.procedures.vocab import ITEM_TYPE_NAMES, parse_level
from certfree.tabular import ImportReport as TableImportReport
from certfree.tabular import Limits, RowError, column_positions, pick, read_table

__all__ = ["COLUMNS", "RowError", "ServiceItemImportReport", "import_service_items"]

# spec field → accepted headers (Chinese first; then those of the provincial platforms' exports)
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("事项编码", "实施编码", "item_code", "code"),
    "name": ("事项名称", "item_name", "name"),
    "department_name": ("实施机构", "实施部门", "部门", "department", "department_name"),
    "implementing_org_uscc": (
        "实施机构统一社会信用代码",
        "统一社会信用代码",
        "implementing_org_uscc",
    ),
    "division_code": ("行政区划代码", "区划代码", "area_code", "division_code"),
    "level": ("层级", "实施层级", "level"),
    "item_type": ("事项类型", "task_type", "item_type"),
    "group_name": ("事项分组", "主项名称", "group", "group_name"),
    "source_url": ("办事指南链接", "办事指南", "source_url"),
    "department_kind": ("部门类别", "department_kind"),
    "node_code": ("节点编码", "node_code"),
    "promised_days": ("承诺办结时限", "承诺时限", "promised_days"),
    "result_cert_type": ("结果证照类型代码", "结果证照类型", "result_cert_type"),
    "requirements": ("申请条件", "requirements"),
}
REQUIRED = ("code", "name", "department_name")
_TYPE_CODES = {name: code for code, name in ITEM_TYPE_NAMES.items()}
_KINDS = {**{k.value: k for k in DepartmentKind}, **{k.name_zh: k for k in DepartmentKind}}
# Larger than a proof list's limit: one district's list (Guang'an, 1,135 items) is ~400 KB,
# and a city's or province's export repeats that for every district.
MAX_BYTES = 20 * 1024 * 1024
# An XLSX's XML is some 5 to 10 times its compressed size.
LIMITS = Limits(max_expanded=8 * MAX_BYTES)


@dataclass
class ServiceItemImportReport(TableImportReport):
    """The file read, the codes created and updated, and warnings that did not stop the import."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            **super().as_json(),
            "created": len(self.created),
            "updated": len(self.updated),
            "warnings": [w.as_json() for w in self.warnings],
            "errors": [e.as_json() for e in self.errors],
        }


def import_service_items(
    session: Session, data: bytes, filename: str, actor: str, *, strict: bool = False
) -> ServiceItemImportReport:
    """Import every row of ``data`` or none; the report lists what was created and updated.

    Raises ServiceImportRejected (every row error) or InvalidInput (unreadable file).
    """
    table = read_table(
        data,
        filename,
        {h for hs in COLUMNS.values() for h in hs},
        examples=tuple(COLUMNS[name][0] for name in REQUIRED),
        max_bytes=MAX_BYTES,
        limits=LIMITS,
    )
    report = ServiceItemImportReport.of(filename, table)
    positions = column_positions(table.headers, COLUMNS)
    for name in REQUIRED:
        if name not in positions:
            report.errors.append(RowError(table.header_row, COLUMNS[name][0], "缺少必需的列"))
    if report.errors:
        raise ServiceImportRejected(report)
    headers = {name: table.headers[index] for name, index in positions.items()}
    proof_list = ProofList(session)
    specs: list[ServiceItemSpec] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        values = pick(cells, positions)
        problems: list[RowError] = []
        spec = _row_spec(number, values, headers, problems=problems, report=report, strict=strict)
        if spec is not None:
            try:
                spec = check_spec(session, spec, proof_list)
            except CertfreeError as exc:
                column = headers.get(_field_name(exc.field), headers["code"])
                problems.append(RowError(number, column, exc.message))
        if spec is not None and not problems:
            if spec.code in seen:
                reason = f"事项编码 {spec.code} 与第 {seen[spec.code]} 行重复"
                problems.append(RowError(number, headers["code"], reason))
            seen.setdefault(spec.code, number)
            specs.append(spec)
        report.errors.extend(problems)
    if report.errors:
        raise ServiceImportRejected(report)
    for spec in specs:
        existed = session.get(ServiceItem, spec.code) is not None
        save_service_item(session, spec, actor, proof_list=proof_list)
        (report.updated if existed else report.created).append(spec.code)
    return report


def _field_name(field_path: str | None) -> str:
    """``requirements[0].alternatives[1][0]`` → ``requirements``."""
    return (field_path or "code").split("[", 1)[0].split(".", 1)[0]


def _row_spec(
    number: int,
    values: dict[str, str],
    headers: dict[str, str],
    *,
    problems: list[RowError],
    report: ServiceItemImportReport,
    strict: bool,
) -> ServiceItemSpec | None:
    fields: dict[str, Any] = {name: value for name, value in values.items() if value}
    for name in REQUIRED:
        if name not in fields:
            problems.append(RowError(number, headers[name], "不能为空"))
    uscc = fields.pop("implementing_org_uscc", None)
    checked = _uscc(uscc, number, headers.get("implementing_org_uscc", ""), report, strict)
    if isinstance(checked, RowError):
        problems.append(checked)
    elif checked:
        fields["implementing_org_uscc"] = checked
    parsers = {
        "level": parse_level,
        "item_type": lambda text: _TYPE_CODES.get(text, text),
        "department_kind": _kind,
        "promised_days": _working_days,
        "requirements": parse_requirements,
    }
    for name, parse in parsers.items():
        if name in fields:
            try:
                fields[name] = parse(fields[name])
            except InvalidInput as exc:
                problems.append(RowError(number, headers[name], exc.message))
    if problems:
        return None
    try:
        return ServiceItemSpec.model_validate(fields)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "code"
            problems.append(RowError(number, headers.get(name, name), error["msg"]))
        return None


_WORKING_DAYS = re.compile(r"(?P<days>\d{1,3})\s*(?:个?工作日)?")


def _working_days(text: str) -> int:
    """承诺办结时限 as the guides write it: ``20`` or ``20个工作日``."""
    match = _WORKING_DAYS.fullmatch(text.strip())
    if match is None or int(match["days"]) == 0:
        raise InvalidInput(
            f"承诺办结时限应为工作日数，如 20 或 20个工作日，收到「{text}」",
            field="promised_days",
        )
    return int(match["days"])


def _kind(text: str) -> DepartmentKind:
    kind = _KINDS.get(text)
    if kind is None:
        known = "、".join(f"{k.value} {k.name_zh}" for k in DepartmentKind)
        raise InvalidInput(f"部门类别应为 {known} 之一，收到「{text}」", field="department_kind")
    return kind


def _uscc(
    text: str | None, number: int, column: str, report: ServiceItemImportReport, strict: bool
) -> str | RowError | None:
    """The organ's USCC, normalised; bad or missing ones become warnings (errors if strict)."""
    if not column:
        return None
    problem: str | None = None
    value: str | None = None
    if not text:
        problem = "未填写实施机构统一社会信用代码"
    else:
        try:
            value = parse_uscc(text).code
        except InvalidIdentifier as exc:
            problem = f"实施机构统一社会信用代码 {text} 有误：{exc.message}，未保存该代码"
        else:
            if value != text:
                problem = f"{text} 含小写字母，已按大写 {value} 保存"
    if problem is None:
        return value
    if strict:
        return RowError(number, column, problem)
    report.warnings.append(RowError(number, column, problem))
    return value
