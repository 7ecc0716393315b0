"""Bulk import of catalog entries from CSV or XLSX (UTF-8 or GBK), all or nothing.

Columns are recognised by their Chinese catalog names (信息资源名称, 信息资源提供方 …), by our
field names (so the published supply list re-imports), or by the column names of open-data
portal exports (title, description, provider, open_type, update_frequency, formats, released,
record_url — the demo files in ``certfree/demo/data/open_data_catalog``). Only a name and a
provider are required; what a portal export does not carry is filled in as written in
:func:`_fill_portal_defaults`.

The whole file is validated first; any row error rejects the file and stores nothing
(:class:`CatalogImportRejected` lists every row, column and reason). A valid file is written
in batches of bulk inserts inside the caller's one transaction, reporting progress per batch.
A row whose ``code`` or ``source_url`` names an existing resource updates it (so re-importing
a portal export refreshes it rather than duplicating it); a row with neither updates the
provider's resource of the same name, if it has one (and is refused, naming the codes, if it
has several); other rows are added under the next free codes of their classification. Every
row written takes its number in the change feed (one block of numbers for the whole file), so
harvesters see the import.

A resource appears once in a file. A row that repeats an earlier row's resource — the same
code, the same source address, or (with neither) the same provider and name — is refused,
naming the earlier row, rather than merged: the two rows may disagree, and which is meant is
the office's to say.

An update changes what the file says and leaves the rest as stored: a field whose column the
file lacks (and that no column it has determines, as the open type determines the share type
of a portal row) keeps its value, so the published supply list, which has no abstract, format
or source address, re-imports without blanking them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from certfree.catalog.errors import CatalogImportRejected, InvalidResource
from certfree.catalog.feed import take_sequence
from certfree.catalog.models import Resource
from certfree.catalog.resources import (
    RESOURCE_CODE,
    ResourceDraft,
    next_sequences,
    validate_resource,
)
from certfree.catalog.vocab import OpenType, ShareMethod, ShareType, UpdateCycle
from certfree.errors import InvalidInput
from certfree.storage import utcnow
from certfree.tabular import (
    XLSX_MAGIC,
    ImportReport,
    Limits,
    RowError,
    column_positions,
    pick,
    read_table,
    text_encoding,
)

__all__ = ["COLUMNS", "DEPARTMENT_CLASS", "CatalogImportReport", "import_catalog", "items_in"]

# A province's whole catalog (about 350,000 entries) fits: a CSV of some 150 MB.
MAX_IMPORT_BYTES = 256 * 1024 * 1024
LIMITS = Limits(max_rows=1_048_576, max_expanded=512 * 1024 * 1024)
BATCH = 5_000
# Portal exports list departments' open data: 编制指南 §6.1.1 部门信息资源目录, 项 07
# (provincial and lower organs).
DEPARTMENT_CLASS = "307"
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "code": ("信息资源代码", "资源代码", "code"),
    "class_code": ("信息资源分类", "分类码", "分类", "class_code"),
    "name": ("信息资源名称", "资源名称", "名称", "name", "title"),
    "abstract": ("信息资源摘要", "资源摘要", "摘要", "abstract", "description"),
    "provider": ("信息资源提供方", "提供方", "提供单位", "数据提供方", "provider"),
    "provider_code": ("信息资源提供方代码", "提供方代码", "provider_code"),
    "format": ("信息资源格式", "资源格式", "格式", "format", "formats"),
    "items": ("信息项", "数据项", "items"),
    "share_type": ("共享类型", "share_type"),
    "share_conditions": ("共享条件", "share_conditions"),
    "unshared_basis": ("不予共享依据", "unshared_basis"),
    "share_method": ("共享方式", "share_method"),
    "open_type": ("开放属性", "开放类型", "open_type"),
    "update_cycle": ("更新周期", "更新频率", "update_cycle", "update_frequency"),
    "released": ("发布日期", "released"),
    "related": ("关联资源代码", "related"),
    "region": ("所属地区", "地区", "region"),
    "theme": ("主题", "theme"),
    "source_url": ("来源地址", "source_url", "record_url"),
}
_REQUIRED = ("name", "provider")
_LIST_SEPARATORS = re.compile(r"[,，、\t;；]+")
_SENTENCE = re.compile(r"[。：:（）()是的为]")


@dataclass
class CatalogImportReport(ImportReport):
    created: int = 0
    updated: int = 0

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(), "created": self.created, "updated": self.updated}


def _provider_code(region: str, provider: str) -> str:
    # A portal export names providers but not their USCC; a stable local code keeps one
    # provider's entries together until its real code is recorded (prefix X: not a USCC).
    return "X" + hashlib.sha256(f"{region}|{provider}".encode()).hexdigest()[:17].upper()


def items_in(abstract: str) -> list[str]:
    """Field names listed in a portal abstract ("单位名称,终端数量,单位地址"), else none."""
    parts = [p.strip() for p in _LIST_SEPARATORS.split(abstract) if p.strip()]
    if len(parts) < 3 or any(len(p) > 15 or _SENTENCE.search(p) for p in parts):
        return []
    return list(dict.fromkeys(parts))


def _fill_portal_defaults(cells: dict[str, str]) -> dict[str, Any]:
    """Complete what open-data portal exports leave out; catalog files state it themselves.

    * class_code: 307 (department catalog); provider_code: a local code (see _provider_code);
    * share_type: from the open type (无条件开放 → 无条件共享, else 有条件共享, the condition
      being the portal's own application procedure);
    * share_method: interface when the entry offers an API or is updated in real time,
      else file download; open_type: not open when absent;
    * format "未注明" (not stated) when blank; update cycle 不定期 when blank;
    * items: the field list some abstracts give.
    """
    data: dict[str, Any] = {k: v for k, v in cells.items() if v}
    if "code" in data:
        found = RESOURCE_CODE.fullmatch(data["code"])
        if not found:
            raise InvalidResource(f"「{data['code']}」不是资源代码（如 307/000001）", field="code")
        data.setdefault("class_code", found["cls"])
        if data["class_code"] != found["cls"]:
            raise InvalidResource("资源代码的前段应是其分类码", field="code")
    data.setdefault("class_code", DEPARTMENT_CLASS)
    data.setdefault("provider_code", _provider_code(cells.get("region", ""), data["provider"]))
    data.setdefault("abstract", data["name"])
    data.setdefault("format", "未注明")
    data.setdefault("update_cycle", UpdateCycle.IRREGULAR.value)
    data.setdefault("open_type", OpenType.NOT_OPEN.value)
    if "share_type" not in data:
        unconditional = data["open_type"] in {"无条件开放", OpenType.UNCONDITIONAL.value}
        share = ShareType.UNCONDITIONAL if unconditional else ShareType.CONDITIONAL
        data["share_type"] = share.value
        if not unconditional:
            data.setdefault("share_conditions", "按数据开放平台有条件开放要求申请使用")
    if "share_method" not in data:
        realtime = data["update_cycle"] in {"实时", UpdateCycle.REALTIME.value}
        api = "api" in data["format"].lower() or realtime
        data["share_method"] = (ShareMethod.API if api else ShareMethod.FILE).value
    if "items" in data:
        data["items"] = [p for p in _LIST_SEPARATORS.split(data["items"]) if p.strip()]
    else:
        data["items"] = items_in(data["abstract"])
    return data


def _headers(positions: Mapping[str, int], headers: tuple[str, ...]) -> dict[str, str]:
    return {key: headers[index] for key, index in positions.items()}


def _decode(data: bytes, encoding: str | None) -> bytes:
    """The file re-encoded as UTF-8 when the caller named its encoding (else detected)."""
    if not encoding:
        return data
    codec = text_encoding(encoding)
    if data.startswith(XLSX_MAGIC):  # XLSX (a ZIP) has no text encoding
        return data
    try:
        return data.decode(codec).encode("utf-8")
    except UnicodeError as exc:
        start = exc.start if isinstance(exc, UnicodeDecodeError) else 0
        raise InvalidInput(
            f"文件不是 {encoding} 编码（第 {start} 字节）", field="encoding"
        ) from None


def import_catalog(
    session: Session,
    data: bytes,
    filename: str,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CatalogImportReport:
    """Validate every row of a CSV/XLSX catalog file, then store all of them or none.

    Raises CatalogImportRejected (with the report's row errors) if any row is wrong, and
    InvalidInput for a file that cannot be read at all. ``progress(done, total)`` is called
    as rows are validated and as batches are written (total = twice the rows).
    """
    table = read_table(
        _decode(data, encoding), filename, {n for names in COLUMNS.values() for n in names},
        fmt=fmt, examples=("信息资源名称", "信息资源提供方"), max_bytes=MAX_IMPORT_BYTES,
        limits=LIMITS,
    )  # fmt: skip
    report = CatalogImportReport.of(filename, table)
    if encoding:
        report.encoding = encoding
    positions = column_positions(table.headers, COLUMNS)
    named = _headers(positions, table.headers)
    missing = [COLUMNS[key][0] for key in _REQUIRED if key not in positions]
    if missing:
        report.errors.append(RowError(table.header_row, "、".join(missing), "缺少必需的列"))
        raise CatalogImportRejected(report)
    total = 2 * len(table.rows)
    drafts: list[_Row] = []
    identities = _Identities(session, named)
    for done, (number, cells) in enumerate(table.rows, start=1):
        picked = pick(cells, positions)
        try:
            for key in _REQUIRED:
                if not picked.get(key):
                    raise InvalidResource("不能为空", field=key)
            draft = validate_resource(_fill_portal_defaults(picked))
        except InvalidResource as exc:
            column = named.get(str(exc.field).split("[")[0], str(exc.field))
            report.errors.append(RowError(number, column, exc.message))
            continue
        row = identities.resolve(number, picked.get("code") or None, draft)
        if isinstance(row, RowError):
            report.errors.append(row)
            continue
        drafts.append(row)
        if progress and done % BATCH == 0:
            progress(done, total)
    if report.errors:
        raise CatalogImportRejected(report)
    _store(session, drafts, report, progress, total, determined=_determined(positions))
    return report


class _Row(NamedTuple):
    number: int
    code: str | None
    draft: ResourceDraft
    existing: int | None  # the resource a row without code or address updates


class _Identities:
    """Which resource each row is: a file names a resource once (see the module's doc)."""

    def __init__(self, session: Session, headers: Mapping[str, str]) -> None:
        self.headers = headers
        self.seen: dict[str | tuple[str, str], int] = {}
        # (provider code, name) → [(id, code)] of this node's resources
        self.named: dict[tuple[str, str], list[tuple[int, str]]] = {}
        rows = session.execute(
            select(Resource.id, Resource.code, Resource.provider_code, Resource.name)
            .where(Resource.origin_node == "")
            .order_by(Resource.id)
        )
        for row_id, code, provider_code, name in rows:
            self.named.setdefault((provider_code, name), []).append((row_id, code))

    def resolve(self, number: int, code: str | None, draft: ResourceDraft) -> _Row | RowError:
        by_name = (draft.provider_code, draft.name)
        identity = code or draft.source_url or by_name
        first = self.seen.setdefault(identity, number)
        if first != number and identity == by_name:
            return RowError(
                number, self.headers["name"],
                f"与第 {first} 行重复：同一提供方的同名资源；如确为不同资源，请填写信息资源代码",
            )  # fmt: skip
        if first != number:
            column = self.headers["code" if code else "source_url"]
            return RowError(number, column, f"与第 {first} 行重复")
        found = self.named.get(by_name, []) if identity == by_name else []
        if len(found) > 1:
            return RowError(
                number, self.headers["name"],
                f"该提供方已有 {len(found)} 个同名资源（{'、'.join(c for _, c in found)}），"
                "请填写信息资源代码，指明更新哪一个",
            )  # fmt: skip
        return _Row(number, code, draft, found[0][0] if found else None)


# Fields that _fill_portal_defaults derives from a column other than their own.
_DERIVED: Mapping[str, tuple[str, ...]] = {
    "class_code": ("code",),
    "provider_code": ("provider",),
    "share_type": ("open_type",),
    "share_conditions": ("open_type", "share_type"),
    "share_method": ("format", "update_cycle"),
    "items": ("abstract",),
}


def _determined(positions: Mapping[str, int]) -> set[str]:
    """The resource fields a file with these columns sets; an update writes only these."""
    given = set(positions)
    return given | {name for name, sources in _DERIVED.items() if given & set(sources)}


def _store(
    session: Session,
    drafts: list[_Row],
    report: CatalogImportReport,
    progress: Callable[[int, int], None] | None,
    total: int,
    *,
    determined: set[str],
) -> None:
    by_code: dict[str, int] = {}
    by_url: dict[str, int] = {}
    for row_id, held, url in session.execute(
        select(Resource.id, Resource.code, Resource.source_url).where(Resource.origin_node == "")
    ):
        by_code[held] = row_id
        if url:
            by_url[url] = row_id
    sequences = next_sequences(session)
    for _number, code, draft, _ in drafts:  # codes the file gives are taken before allocating
        if code and code not in by_code:
            given = int(code.split("/")[1])
            sequences[draft.class_code] = max(sequences.get(draft.class_code, 0), given)
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    first_seq = take_sequence(session, len(drafts)) if drafts else 0
    for offset, (_number, code, draft, same_name) in enumerate(drafts):
        values = {**draft.columns(), "change_seq": first_seq + offset}
        existing = by_code.get(code) if code else same_name
        if existing is None and draft.source_url:
            existing = by_url.get(draft.source_url)
        if existing is not None:
            kept = {k: v for k, v in values.items() if k in determined or k == "change_seq"}
            updates.append({**kept, "id": existing, "updated_at": now})
            continue
        if code:
            sequence, new_code = int(code.split("/")[1]), code
        else:
            sequence = sequences.get(draft.class_code, 0) + 1
            sequences[draft.class_code] = sequence
            new_code = f"{draft.class_code}/{sequence:06d}"
        inserts.append({**values, "code": new_code, "sequence": sequence, "origin_node": "",
                        "created_at": now, "updated_at": now})  # fmt: skip
    done = total // 2
    for statement, pending in ((update(Resource), updates), (insert(Resource), inserts)):
        for start in range(0, len(pending), BATCH):
            batch = pending[start : start + BATCH]
            session.execute(statement, batch)
            done += len(batch)
            if progress:
                progress(done, total)
    session.flush()
    report.created, report.updated = len(inserts), len(updates)
