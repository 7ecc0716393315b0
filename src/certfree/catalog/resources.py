"""Resources of the catalog: validated drafts, codes, and create/read/update/delete.

A draft is checked field by field against GB/T 21063.3 / 编制指南 §5 before anything is
stored; each fault raises :class:`InvalidResource` naming the field (``items[2].grade``).

Every write records itself in the change feed in the same transaction (``catalog.feed``):
a create or update takes the next sequence number, a delete leaves a tombstone. Reads and
writes by code concern this node's own resources (``origin_node`` empty) unless an origin is
named: the province also holds resources harvested from other nodes under the same codes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certfree.catalog.errors import CatalogConflict, InvalidResource, ResourceNotFound
from certfree.catalog.feed import record_deletion, take_sequence
from certfree.catalog.models import Resource
from certfree.catalog.vocab import (
    DataGrade,
    OpenType,
    ShareMethod,
    ShareType,
    UpdateCycle,
    class_label,
    label_zh,
    parse,
)
from certfree.classification import (
    DataClass,
    class_of,
    field_grade,
    level_grade,
    suggest_class,
)
from certfree.errors import InvalidInput
from certfree.storage import utcnow

__all__ = [
    "ITEM_TYPES",
    "RESOURCE_CODE",
    "DataItem",
    "ResourceDraft",
    "create_resource",
    "delete_resource",
    "get_resource",
    "item_names",
    "list_resources",
    "next_sequences",
    "resource_json",
    "update_resource",
    "validate_resource",
]

# GB/T 21063.3 信息项 数据类型: 字符型, 数值型, 日期型, 日期时间型, 布尔型, 二进制.
ITEM_TYPES: Mapping[str, tuple[str, ...]] = {
    "string": ("字符型", "字符", "C", "varchar", "text"),
    "number": ("数值型", "数值", "N", "int", "integer", "decimal"),
    "date": ("日期型", "日期", "D"),
    "datetime": ("日期时间型", "日期时间", "T"),
    "boolean": ("布尔型", "布尔", "B"),
    "binary": ("二进制", "二进制型", "BY", "blob"),
}
_CLASS_CODE = re.compile(r"[123]\d{2}\d{0,21}")  # 类 + 项, then optional 目 and 细目
# 编制指南 §6.2: 前段码 (the classification) "/" 后段码 (the sequence), e.g. 307/000001.
RESOURCE_CODE = re.compile(r"(?P<cls>[123]\d{2}\d*)/(?P<seq>\d{1,12})")
_MAX = {"name": 200, "provider": 100, "provider_code": 40, "format": 100, "region": 60}


@dataclass(frozen=True, slots=True)
class DataItem:
    """信息项: one field of a resource, with its data class and grade (the governance vocabulary:
    certfree.classification; grades 1–4 general data, 5 important, 6 core)."""

    name: str
    type: str = "string"
    description: str = ""
    classification: str = "public_affairs"  # a class code of the vocabulary
    grade: int = 2

    def as_json(self) -> dict[str, Any]:
        # Spelled out: dataclasses.asdict deep-copies and costs a third of a bulk harvest.
        return {
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "classification": self.classification,
            "grade": self.grade,
        }


@dataclass(frozen=True, slots=True)
class ResourceDraft:
    """A resource's metadata, every field checked; what create and update store."""

    class_code: str
    name: str
    abstract: str
    provider: str
    provider_code: str
    format: str
    share_type: ShareType
    share_method: ShareMethod
    open_type: OpenType
    update_cycle: UpdateCycle
    released: dt.date
    items: tuple[DataItem, ...] = ()
    share_conditions: str | None = None
    unshared_basis: str | None = None
    related: tuple[str, ...] = ()
    region: str | None = None
    theme: str | None = None
    source_url: str | None = None

    def columns(self) -> dict[str, Any]:
        """The draft as column values of :class:`Resource` (no code)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["items"] = [item.as_json() for item in self.items]
        values["related"] = list(self.related)
        return values


def item_names(items: Sequence[Any] | None) -> list[str]:
    """The names of a resource's stored data items (its ``items`` column), in order."""
    return [str(item.get("name", "")) for item in items or () if isinstance(item, dict)]


def _text(data: Mapping[str, Any], field: str, *, required: bool = True) -> str | None:
    value = data.get(field)
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise InvalidResource("不能为空", field=field)
        return None
    limit = _MAX.get(field)
    if limit and len(text) > limit:
        raise InvalidResource(f"过长（{len(text)} 字，上限 {limit}）", field=field)
    return text


def _item(raw: Any, index: int) -> DataItem:
    where = f"items[{index}]"
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, Mapping):
        raise InvalidResource("应为信息项对象 {name, type, …} 或名称", field=where)
    name = str(raw.get("name") or "").strip()
    if not name:
        raise InvalidResource("信息项名称不能为空", field=f"{where}.name")
    if len(name) > 100:
        raise InvalidResource("信息项名称过长（上限 100 字）", field=f"{where}.name")
    kind = str(raw.get("type") or "string").strip()
    for key, spellings in ITEM_TYPES.items():
        if kind.lower() == key or kind in spellings or kind.lower() in spellings:
            kind = key
            break
    else:
        choices = "、".join(s[0] for s in ITEM_TYPES.values())
        raise InvalidResource(f"数据类型「{kind}」无效；可选：{choices}", field=f"{where}.type")
    given = str(raw.get("classification") or "").strip()
    try:
        data_class = class_of(given) if given else suggest_class(name)
    except InvalidInput as exc:  # an unknown class is refused, never stored as free text
        raise InvalidResource(exc.message, field=f"{where}.classification") from exc
    return DataItem(
        name=name,
        type=kind,
        description=str(raw.get("description") or "").strip(),
        classification=data_class.code,
        grade=_grade(raw.get("grade"), data_class, f"{where}.grade"),
    )


def _grade(value: Any, data_class: DataClass, field: str) -> int:
    """A data item's grade: 1–6, or a GB/T 43697-2024 §6.1 level (一般 → the class's grade,
    重要 5, 核心 6); never below the class's grade (§4 就高从严)."""
    if value is None or value == "":
        return data_class.grade
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidResource("级别应为 1–6 或 一般/重要/核心", field=field)
    text = str(value).strip()
    if text.isdigit() and len(text) == 1:
        declared: int | None = int(text)
    else:
        declared = level_grade(parse(DataGrade, text, field).value)
    try:
        return field_grade(data_class, declared, field=field)
    except InvalidInput as exc:
        raise InvalidResource(exc.message, field=field) from exc


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-")
    if not text:
        raise InvalidResource("不能为空", field="released")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidResource(f"「{text}」不是日期（应为 2023-06-15）", field="released") from None


def validate_resource(data: Mapping[str, Any]) -> ResourceDraft:
    """Check a resource given as a mapping of field → value; raises InvalidResource(field=…).

    Enumerations take their value or Chinese label (``有条件共享``); a conditional resource
    needs ``share_conditions``, one not shared needs ``unshared_basis`` (编制指南 §5.2: "不予
    共享类的，应注明相关的法律、行政法规或党中央、国务院政策依据").
    """
    class_code = _text(data, "class_code") or ""
    if not _CLASS_CODE.fullmatch(class_code) or not class_label(class_code):
        raise InvalidResource(
            f"「{class_code}」不是分类码：应以类（1 基础、2 主题、3 部门）加两位项开头，如 101",
            field="class_code",
        )
    share_type = parse(ShareType, str(data.get("share_type") or ""), "share_type")
    conditions = _text(data, "share_conditions", required=False)
    basis = _text(data, "unshared_basis", required=False)
    if share_type is ShareType.CONDITIONAL and not conditions:
        raise InvalidResource("有条件共享的资源须写明共享条件", field="share_conditions")
    if share_type is ShareType.NOT_SHARED and not basis:
        raise InvalidResource("不予共享的资源须写明法律法规或政策依据", field="unshared_basis")
    raw_items = data.get("items") or ()
    if isinstance(raw_items, str) or not isinstance(raw_items, Sequence):
        raise InvalidResource("应为信息项列表", field="items")
    related = data.get("related") or ()
    if isinstance(related, str):
        related = [r for r in re.split(r"[;；,，\s]+", related) if r]
    for index, code in enumerate(related):
        if not RESOURCE_CODE.fullmatch(str(code)):
            message = f"「{code}」不是资源代码（如 307/000001）"
            raise InvalidResource(message, field=f"related[{index}]")
    return ResourceDraft(
        class_code=class_code,
        name=_text(data, "name") or "",
        abstract=_text(data, "abstract") or "",
        provider=_text(data, "provider") or "",
        provider_code=_text(data, "provider_code") or "",
        format=_text(data, "format") or "",
        share_type=share_type,
        share_method=parse(ShareMethod, str(data.get("share_method") or ""), "share_method"),
        open_type=parse(OpenType, str(data.get("open_type") or ""), "open_type"),
        update_cycle=parse(UpdateCycle, str(data.get("update_cycle") or ""), "update_cycle"),
        released=_date(data.get("released")),
        items=tuple(_item(raw, i) for i, raw in enumerate(raw_items)),
        share_conditions=conditions if share_type is ShareType.CONDITIONAL else None,
        unshared_basis=basis if share_type is ShareType.NOT_SHARED else None,
        related=tuple(str(r) for r in related),
        region=_text(data, "region", required=False),
        theme=_text(data, "theme", required=False),
        source_url=_text(data, "source_url", required=False),
    )


def next_sequences(session: Session) -> dict[str, int]:
    """Classification code → the highest sequence (后段码) allocated under it so far here."""
    rows = session.execute(
        select(Resource.class_code, func.max(Resource.sequence))
        .where(Resource.origin_node == "")
        .group_by(Resource.class_code)
    )
    return {cls: int(seq or 0) for cls, seq in rows}


def create_resource(session: Session, draft: ResourceDraft) -> Resource:
    """Store ``draft`` under the next free code of its classification."""
    highest = session.scalar(
        select(func.max(Resource.sequence)).where(
            Resource.class_code == draft.class_code, Resource.origin_node == ""
        )
    )
    sequence = int(highest or 0) + 1
    if draft.source_url and session.scalar(
        select(Resource.code).where(
            Resource.source_url == draft.source_url, Resource.origin_node == ""
        )
    ):
        raise CatalogConflict(f"已有来源为 {draft.source_url} 的资源", field="source_url")
    row = Resource(
        code=f"{draft.class_code}/{sequence:06d}",
        sequence=sequence,
        origin_node="",
        change_seq=take_sequence(session),
        **draft.columns(),
    )
    session.add(row)
    session.flush()
    return row


def get_resource(session: Session, code: str, *, origin: str = "") -> Resource:
    """The resource ``code`` of this node, or of node ``origin`` among harvested ones."""
    row = session.scalar(
        select(Resource).where(Resource.code == code.strip(), Resource.origin_node == origin)
    )
    if row is None:
        where = f"（来源节点 {origin}）" if origin else ""
        raise ResourceNotFound(f"没有代码为 {code} 的数据资源{where}", field="code")
    return row


def list_resources(
    session: Session,
    *,
    provider: str | None = None,
    provider_code: str | None = None,
    origin: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Resource]:
    """Resources in code order, optionally of one provider (by name or code) or of one
    origin ("" for this node's own, a node code for those harvested from it)."""
    query = select(Resource).order_by(Resource.id).limit(limit).offset(offset)
    if origin is not None:
        query = query.where(Resource.origin_node == origin)
    if provider:
        query = query.where(Resource.provider == provider)
    if provider_code:
        query = query.where(Resource.provider_code == provider_code)
    return list(session.scalars(query))


def update_resource(session: Session, code: str, changes: Mapping[str, Any]) -> Resource:
    """Apply ``changes`` (field → value) to a resource, re-validating the whole; code is kept.

    A change of ``class_code`` is refused: the code's first part is the classification.
    """
    row = get_resource(session, code)
    if "class_code" in changes and str(changes["class_code"]).strip() != row.class_code:
        raise CatalogConflict("分类码是资源代码的前段，不能修改；请另建资源", field="class_code")
    current = resource_json(row)
    draft = validate_resource({**current, **changes})
    for key, value in draft.columns().items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    row.change_seq = take_sequence(session)
    session.flush()
    return row


def delete_resource(session: Session, code: str) -> None:
    """Delete one of this node's resources, leaving a tombstone in the change feed."""
    row = get_resource(session, code)
    record_deletion(session, row)
    session.delete(row)
    session.flush()


def resource_json(row: Resource) -> dict[str, Any]:
    """A resource as JSON: values, with Chinese labels beside the enumerations."""
    return {
        "code": row.code,
        "class_code": row.class_code,
        "class_name": class_label(row.class_code),
        "name": row.name,
        "abstract": row.abstract,
        "provider": row.provider,
        "provider_code": row.provider_code,
        "region": row.region,
        "theme": row.theme,
        "format": row.format,
        "items": list(row.items or []),
        "share_type": row.share_type.value,
        "share_type_zh": label_zh(row.share_type),
        "share_conditions": row.share_conditions,
        "unshared_basis": row.unshared_basis,
        "share_method": row.share_method.value,
        "open_type": row.open_type.value,
        "update_cycle": row.update_cycle.value,
        "released": row.released.isoformat(),
        "related": list(row.related or []),
        "source_url": row.source_url,
        "origin_node": row.origin_node or None,
    }
