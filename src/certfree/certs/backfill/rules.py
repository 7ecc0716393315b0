"""Inspection rules (质检规范) of one paper-era certificate record before it is backfilled.

A record is read from a row whose headers are the type's face-field labels (照面信息项名称, as
``certfree certs types --json`` lists them) plus the holder code, validity and issuer columns
named in :data:`EXTRA_COLUMNS`. Every fault of a row is found (not only the first), each with
the column as headed, so a clerk fixes the row in one pass.

Outcomes, decided here and documented for clerks:

* **rejected** — a required field is empty; a value has the wrong form; an ID number or USCC
  check character is wrong (GB 11643 / GB 32100, via ``certfree.identifiers``); a date is not a
  real date or lies in the future; ``valid_from`` after ``valid_to``; the certificate already
  expired (a paper certificate no longer valid is not turned into an e-certificate); the issuer
  code is unknown or does not issue the type; the record duplicates an earlier row of the file
  or a certificate already issued (same type, holder and face data); the holder is not in the
  population tables (persons for code type 111, firms for 001) — a holder who cannot be found
  cannot be told apart from a typing error, so the clerk must correct the row.
* **review** (人工复核) — the row is valid but the population record disagrees with it: the
  person is recorded as deceased, or the name on the row differs from the recorded name (a
  renamed person or firm, or a mis-typed record). A reviewer approves (issued) or rejects.
* **accepted** — everything holds; the certificate is issued.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from certfree.certs.errors import FaceDataInvalid
from certfree.certs.facedata import check_face_data, check_holder_id, derive_predicates
from certfree.certs.issuance import Validity, validity_for
from certfree.certs.issuers import Issuer, resolve_issuer
from certfree.certs.types import CertType
from certfree.certs.vocab import FieldType, HolderCategory
from certfree.errors import Forbidden, InvalidInput
from certfree.population import Firm, Person
from certfree.tabular import RowError

__all__ = [
    "EXTRA_COLUMNS",
    "Inspected",
    "column_names",
    "duplicate_key",
    "inspect_record",
]

HOLDER = "holder_id"
VALID_FROM = "valid_from"
VALID_TO = "valid_to"
ISSUER = "issuer"
# Columns besides the face fields: key → accepted headers (the first is the one reports name).
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    HOLDER: ("持证主体代码", "持证人代码", "holder_id"),
    VALID_FROM: ("有效期起始日期", "有效期起始", "发证日期", "valid_from"),
    VALID_TO: ("有效期截止日期", "有效期截止", "有效期至", "valid_to"),
    ISSUER: ("发证机关代码", "issuer"),
}
NAME_FIELD = "name"  # the face field compared with the population record's name


def column_names(kind: CertType) -> dict[str, tuple[str, ...]]:
    """Column key → accepted headers: each face field by label or name, then the extras."""
    names = {item.name: (item.label, item.name) for item in kind.fields}
    return {**names, **EXTRA_COLUMNS}


@dataclass
class Inspected:
    """The checked record, or its faults; ``review`` names why a person must decide."""

    errors: list[RowError] = field(default_factory=list)
    review: str | None = None
    holder_id: str = ""
    face: dict[str, Any] = field(default_factory=dict)
    validity: Validity | None = None
    issuer: Issuer | None = None


def duplicate_key(holder_id: str, face: Mapping[str, Any]) -> str:
    """What makes two records the same certificate: holder and face data (type is the job's)."""
    return holder_id + json.dumps(face, ensure_ascii=False, sort_keys=True)


def _face(kind: CertType, cells: Mapping[str, str], row: int, out: Inspected) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for item in kind.fields:
        text = cells.get(item.name, "")
        if not text:
            continue
        if item.type is FieldType.INTEGER:
            try:
                raw[item.name] = int(text)
            except ValueError:
                out.errors.append(RowError(row, item.label, f"应为整数，收到 {text!r}"))
                continue
        else:
            raw[item.name] = text
    try:
        return check_face_data(kind, raw)
    except FaceDataInvalid:
        pass
    # check_face_data stops at the first fault; check field by field to report every one.
    for item in kind.fields:
        if item.name not in raw:
            if item.required and not any(e.column == item.label for e in out.errors):
                out.errors.append(RowError(row, item.label, "为必填项，未填写"))
            continue
        try:
            check_face_data(replace(kind, fields=(item,)), {item.name: raw[item.name]})
        except FaceDataInvalid as exc:
            out.errors.append(RowError(row, item.label, exc.message))
    return {}


def _date(text: str, column: str, row: int, today: dt.date, out: Inspected) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        out.errors.append(RowError(row, column, f"不是有效的日期（应为 YYYY-MM-DD）：{text!r}"))
        return None
    if day > today:
        out.errors.append(RowError(row, column, f"日期 {day} 晚于今天 {today}"))
        return None
    return day


def _end(text: str, column: str, row: int, out: Inspected) -> tuple[bool, dt.date | None]:
    """(readable, the last valid day or None for 长期)."""
    if not text or text in {"长期", "长期有效"}:
        return True, None
    try:
        return True, dt.date.fromisoformat(text)
    except ValueError:
        out.errors.append(RowError(row, column, f"不是有效的日期：{text!r}"))
        return False, None


def _validity(
    kind: CertType, cells: Mapping[str, str], row: int, today: dt.date, out: Inspected
) -> Validity | None:
    from_col, to_col = EXTRA_COLUMNS[VALID_FROM][0], EXTRA_COLUMNS[VALID_TO][0]
    start_text = cells.get(VALID_FROM, "")
    if not start_text:
        out.errors.append(RowError(row, from_col, "为必填项，未填写"))
        return None
    start = _date(start_text, from_col, row, today, out)
    readable, end = _end(cells.get(VALID_TO, ""), to_col, row, out)
    if start is None or not readable:
        return None
    problem = None
    if end is not None and end < start:
        problem = f"有效期截止 {end} 早于起始 {start}"
    elif end is not None and end < today:
        problem = f"证照已于 {end} 过期，不予补录"
    else:
        try:
            return validity_for(kind, Validity(start, end), today)
        except FaceDataInvalid as exc:
            problem = exc.message
    out.errors.append(RowError(row, to_col, problem))
    return None


def _label(kind: CertType, name: str | None, default: str) -> str:
    item = kind.field(name or "")
    return item.label if item else default


def _holder(
    kind: CertType, cells: Mapping[str, str], face: Mapping[str, Any], row: int, out: Inspected
) -> None:
    # Without a holder column the holder is the type's holder field (公民身份号码 or USCC),
    # whose faults the face-data check already reported.
    holder_text = cells.get(HOLDER, "") or cells.get(kind.holder_field or HOLDER, "")
    holder_col = EXTRA_COLUMNS[HOLDER][0]
    if not holder_text and not kind.holder_field:
        out.errors.append(RowError(row, holder_col, "为必填项，未填写"))
    elif holder_text and face:
        try:
            out.holder_id = check_holder_id(kind, holder_text, face)
        except FaceDataInvalid as exc:
            out.errors.append(RowError(row, _label(kind, exc.field, holder_col), exc.message))


def _issuer(
    session: Session,
    kind: CertType,
    code: str,
    default: Issuer | None,
    *,
    sole: bool,
    row: int,
    out: Inspected,
) -> None:
    issuer_col = EXTRA_COLUMNS[ISSUER][0]
    try:
        out.issuer = resolve_issuer(session, kind, code) if code else default
    except (InvalidInput, Forbidden) as exc:
        out.errors.append(RowError(row, issuer_col, exc.message))
        return
    if out.issuer is None:
        out.errors.append(RowError(row, issuer_col, "未填写发证机关代码，也未指定 --issuer"))
    elif sole and default is not None and out.issuer.uscc != default.uscc:
        # An organ seals only its own certificates: a row naming another is not its to backfill.
        reason = f"{out.issuer.name}不是本机关（{default.name}），不能代为补录"
        out.errors.append(RowError(row, issuer_col, reason))


def _holder_record(session: Session, kind: CertType, holder: str) -> Person | Firm | None:
    if kind.holder_category is HolderCategory.PERSON:
        return session.get(Person, holder)
    return session.get(Firm, holder)


def inspect_record(
    session: Session,
    kind: CertType,
    cells: Mapping[str, str],
    row: int,
    *,
    today: dt.date,
    default_issuer: Issuer | None,
    seen: Mapping[str, str],
    sole_issuer: bool = False,
) -> Inspected:
    """Apply the inspection rules to one row's cells (column key → text).

    ``seen`` maps the duplicate key of every record already accepted or queued (this file's
    earlier rows and the certificates already issued) to a description of it. With
    ``sole_issuer`` a row whose issuer column names another organ than ``default_issuer`` is
    rejected.
    """
    out = Inspected()
    face = _face(kind, cells, row, out)
    for item in kind.fields:
        value = face.get(item.name)
        if item.type is FieldType.DATE and value and dt.date.fromisoformat(value) > today:
            out.errors.append(RowError(row, item.label, f"日期 {value} 晚于今天 {today}"))
    _holder(kind, cells, face, row, out)
    out.validity = _validity(kind, cells, row, today, out)
    _issuer(
        session, kind, cells.get(ISSUER, ""), default_issuer, sole=sole_issuer, row=row, out=out
    )
    if out.errors:
        return out
    try:
        derive_predicates(kind, face, today)
    except FaceDataInvalid as exc:
        out.errors.append(RowError(row, _label(kind, exc.field, str(exc.field)), exc.message))
        return out
    out.face = face
    holder_col = EXTRA_COLUMNS[HOLDER][0]
    earlier = seen.get(duplicate_key(out.holder_id, face))
    if earlier is not None:
        out.errors.append(RowError(row, holder_col, f"重复：与{earlier}相同"))
        return out
    record = _holder_record(session, kind, out.holder_id)
    if record is None:
        where = "人口库" if kind.holder_category is HolderCategory.PERSON else "法人库"
        out.errors.append(RowError(row, holder_col, f"持证主体 {out.holder_id} 在{where}中不存在"))
        return out
    if isinstance(record, Person) and record.deceased:
        out.review = f"人口库记录持证人 {out.holder_id} 已死亡"
    elif NAME_FIELD in face and face[NAME_FIELD] != record.name:
        out.review = f"名称「{face[NAME_FIELD]}」与库中记录「{record.name}」不一致"
    return out
