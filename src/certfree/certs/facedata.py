"""Face data (照面信息): checked against the type's schema, and the predicates derived from it.

Every fault raises :class:`FaceDataInvalid` whose ``field`` names the offending item and whose
message says what is expected, in Chinese (shown to clerks) with the label of the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from certfree.certs.errors import FaceDataInvalid
from certfree.certs.types import CertType, FaceField
from certfree.certs.vocab import FieldType, HolderCategory
from certfree.errors import InvalidIdentifier
from certfree.identifiers import parse_resident_id, parse_uscc

__all__ = ["check_face_data", "check_holder_id", "derive_predicates"]


def _fail(item: FaceField, message: str) -> FaceDataInvalid:
    return FaceDataInvalid(f"{item.label}（{item.name}）{message}", field=item.name)


def _integer(item: FaceField, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise _fail(item, f"应为整数，收到 {raw!r}")
    if item.minimum is not None and raw < item.minimum:
        raise _fail(item, f"不应小于 {item.minimum}，收到 {raw}")
    if item.maximum is not None and raw > item.maximum:
        raise _fail(item, f"不应大于 {item.maximum}，收到 {raw}")
    return raw


def _string(item: FaceField, text: str) -> str:
    if item.min_length is not None and len(text) < item.min_length:
        raise _fail(item, f"至少 {item.min_length} 个字符，收到 {len(text)} 个")
    if item.max_length is not None and len(text) > item.max_length:
        raise _fail(item, f"至多 {item.max_length} 个字符，收到 {len(text)} 个")
    return text


def _value(item: FaceField, raw: Any) -> Any:
    """The normalised value of one field, or FaceDataInvalid."""
    if item.type is FieldType.INTEGER:
        return _integer(item, raw)
    if not isinstance(raw, str):
        raise _fail(item, f"应为文本，收到 {type(raw).__name__} {raw!r}")
    text = raw.strip()
    if not text:
        raise _fail(item, "不能为空")
    if item.type is FieldType.DATE:
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise _fail(item, f"应为 YYYY-MM-DD 格式的日期，收到 {text!r}") from None
    if item.type is FieldType.ENUM:
        if text not in item.values:
            raise _fail(item, f"应为以下之一：{'、'.join(item.values)}；收到 {text!r}")
        return text
    if item.type is FieldType.ID_NUMBER:
        try:
            return parse_resident_id(text).number
        except InvalidIdentifier as exc:
            raise _fail(item, f"不是有效的公民身份号码：{exc.message}") from None
    if item.type is FieldType.USCC:
        try:
            return parse_uscc(text).code
        except InvalidIdentifier as exc:
            raise _fail(item, f"不是有效的统一社会信用代码：{exc.message}") from None
    return _string(item, text)


def check_face_data(cert_type: CertType, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` checked and normalised against ``cert_type``'s schema, in schema order.

    Raises FaceDataInvalid naming the first field at fault: an unknown field, a required field
    missing, a value of the wrong type, outside its range or list, or an ID number / USCC whose
    check character is wrong. Optional fields given as ``null`` are left out.
    """
    if not isinstance(data, Mapping):
        raise FaceDataInvalid("照面信息应为 JSON 对象（字段名 → 值）", field="face_data")
    known = {item.name for item in cert_type.fields}
    for name in data:
        if name not in known:
            raise FaceDataInvalid(
                f"{cert_type.name}没有照面信息项 {name!r}；可用的项：{'、'.join(sorted(known))}",
                field=str(name),
            )
    checked: dict[str, Any] = {}
    for item in cert_type.fields:
        raw = data.get(item.name)
        if raw is None or (isinstance(raw, str) and not raw.strip() and not item.required):
            if item.required:
                raise _fail(item, "为必填项，未提供")
            continue
        checked[item.name] = _value(item, raw)
    return checked


def check_holder_id(cert_type: CertType, holder_id: str, face: Mapping[str, Any]) -> str:
    """The normalised holder identifier (GB/T 36902 持证主体代码).

    A person's type needs a resident ID number (code type 111), an organisation's a USCC
    (code type 001); when the type names a holder field, its value must be the holder's.
    """
    text = holder_id.strip().upper()
    normalised: str
    try:
        if cert_type.holder_category is HolderCategory.PERSON:
            normalised = parse_resident_id(text).number
        else:
            normalised = parse_uscc(text).code
    except InvalidIdentifier as exc:
        what = (
            "公民身份号码"
            if cert_type.holder_category is HolderCategory.PERSON
            else "统一社会信用代码"
        )
        raise FaceDataInvalid(
            f"{cert_type.name}的持证主体是{cert_type.holder_category.zh}，"
            f"持证主体代码应为{what}：{exc.message}",
            field="holder_id",
        ) from None
    if cert_type.holder_field and face.get(cert_type.holder_field) != normalised:
        item = cert_type.field(cert_type.holder_field)
        label = item.label if item else cert_type.holder_field
        raise FaceDataInvalid(
            f"{label}（{cert_type.holder_field}）应与持证主体代码 {normalised} 一致，"
            f"收到 {face.get(cert_type.holder_field)!r}",
            field=cert_type.holder_field,
        )
    return normalised


def _years_between(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def derive_predicates(
    cert_type: CertType, face: Mapping[str, Any], as_of: dt.date
) -> dict[str, bool]:
    """The type's predicates evaluated on ``face`` as of ``as_of`` (the issue date).

    ``age_over_60`` is true when the birth date is at least 60 years before ``as_of`` — a
    statement about the day of issue, as ISO 18013-5 ``age_over_NN`` is. A required predicate
    that does not hold raises FaceDataInvalid on the date field it reads.
    """
    result: dict[str, bool] = {}
    for predicate in cert_type.predicates:
        value = face.get(predicate.field)
        if value is None:
            continue
        holds = _years_between(dt.date.fromisoformat(value), as_of) >= predicate.years
        if predicate.required and not holds:
            item = cert_type.field(predicate.field)
            label = item.label if item else predicate.field
            raise FaceDataInvalid(
                f"签发{cert_type.name}须{predicate.label}；按{label} {value}，"
                f"到 {as_of.isoformat()} 未满 {predicate.years} 周岁",
                field=predicate.field,
            )
        result[predicate.name] = holds
    return result
