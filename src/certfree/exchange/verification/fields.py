"""Fields of department verification requests and answers, each checked with a message
naming the field and the fault; and deadlines in working days.

Deadlines count working days Monday to Friday in Beijing time and end at 24:00 of the last
one. Public holidays and their make-up working days (调休) are not modelled: the State
Council publishes them yearly, and a calendar table can replace :func:`is_working_day`.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from certfree.errors import InvalidIdentifier
from certfree.exchange.errors import InvalidVerificationRequest
from certfree.exchange.verification.models import VerificationOutcome
from certfree.identifiers import parse_resident_id, parse_uscc
from certfree.nodes import DepartmentKind

__all__ = [
    "BEIJING",
    "DEFAULT_WORKING_DAYS",
    "MAX_FACT",
    "MAX_WORKING_DAYS",
    "deadline_after",
    "department_code",
    "instant",
    "invalid",
    "is_working_day",
    "note_for",
    "outcome",
    "parse_subject_id",
    "request_id",
    "service_item",
    "supporting",
    "text",
]

BEIJING = ZoneInfo("Asia/Shanghai")
DEFAULT_WORKING_DAYS = 3
MAX_WORKING_DAYS = 30
MAX_FACT = 500
MAX_SUPPORTING = 20
MAX_NOTE = 1000
_DEPARTMENT_CODE = re.compile(r"^[1-9]\d{5}-[A-Z]{2}$")
_SERVICE_ITEM = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,95}$")


def invalid(message: str, field: str) -> InvalidVerificationRequest:
    """The error for ``field``; raised by the caller."""
    return InvalidVerificationRequest(message, field=field)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday (public holidays are not modelled; see the module docstring)."""
    return day.weekday() < 5


def deadline_after(start: dt.datetime, working_days: int = DEFAULT_WORKING_DAYS) -> dt.datetime:
    """24:00 Beijing time of the ``working_days``-th working day after ``start``'s day, in UTC."""
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise invalid(f"办理时限应为 1 至 {MAX_WORKING_DAYS} 个工作日", "working_days")
    day = start.astimezone(BEIJING).date()
    remaining = working_days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=BEIJING)
    return midnight.astimezone(dt.UTC)


def parse_subject_id(value: str) -> str:
    """The subject's GB 11643 ID number or GB 32100 USCC, normalised; says why neither fits."""
    text = value.strip().upper()
    try:
        return parse_resident_id(text).number
    except InvalidIdentifier as as_person:
        try:
            return parse_uscc(text).code
        except InvalidIdentifier as as_firm:
            raise invalid(
                f"核验对象应为公民身份号码或统一社会信用代码：作为身份证号，{as_person.message}；"
                f"作为统一社会信用代码，{as_firm.message}",
                "subject_id",
            ) from None


def department_code(code: str) -> str:
    """A department node code ``<GB/T 2260 code>-<DepartmentKind>``, upper-cased."""
    code = code.strip().upper()
    kind = code.partition("-")[2]
    if not _DEPARTMENT_CODE.match(code) or kind not in DepartmentKind.__members__:
        kinds = "、".join(k.value for k in DepartmentKind)
        raise invalid(
            f"核验部门应为部门节点编码（如 370100-RS，部门类别为 {kinds} 之一），收到 {code!r}",
            "department",
        )
    return code


def text(value: object, field: str, label: str, limit: int) -> str:
    """``value`` stripped; refused if not text, empty or longer than ``limit`` characters."""
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"{label}不能为空", field)
    if len(value.strip()) > limit:
        raise invalid(f"{label}不能超过 {limit} 个字符，收到 {len(value.strip())} 个", field)
    return value.strip()


def supporting(value: object) -> dict[str, str]:
    """Supporting fields as name → text (numbers become text); None is no fields."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise invalid("辅助信息应为“字段名: 值”的对象", "supporting")
    if len(value) > MAX_SUPPORTING:
        raise invalid(f"辅助信息最多 {MAX_SUPPORTING} 项，收到 {len(value)} 项", "supporting")
    fields: dict[str, str] = {}
    for key, item in value.items():
        name = text(key, "supporting", "辅助信息的字段名", 64)
        if not isinstance(item, str | int):
            raise invalid(f"辅助信息 {name} 的值应为文字或数字", f"supporting.{name}")
        fields[name] = text(str(item), f"supporting.{name}", f"辅助信息 {name}", MAX_FACT)
    return fields


def request_id(value: object) -> str:
    """A request id in canonical UUID form."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise invalid(f"请求编号应为 UUID，收到 {value!r}", "request_id") from None


def instant(value: object, field: str) -> dt.datetime:
    """An ISO 8601 time with offset from a message body."""
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise invalid(f"时间应为带时区的 ISO 8601 格式，收到 {value!r}", field) from None
    if parsed.tzinfo is None:
        raise invalid(f"时间须带时区，收到 {value!r}", field)
    return parsed.astimezone(dt.UTC)


def outcome(value: object) -> VerificationOutcome:
    """One of the three outcomes, or an error listing them."""
    try:
        return VerificationOutcome(str(value))
    except ValueError:
        choices = "、".join(f"{o.value}（{o.zh}）" for o in VerificationOutcome)
        raise invalid(f"核验结论应为 {choices} 之一，收到 {value!r}", "outcome") from None


def note_for(outcome: VerificationOutcome, note: object) -> str | None:
    """The answer's note; required unless the outcome is ``confirmed``."""
    if note is None or (isinstance(note, str) and not note.strip()):
        if outcome is not VerificationOutcome.CONFIRMED:
            # A desk cannot act on a bare "no": it must know why, and what would settle it.
            raise invalid(f"结论为“{outcome.zh}”时须在说明中写明理由", "note")
        return None
    return text(note, "note", "说明", MAX_NOTE)


def service_item(value: str) -> str:
    """A 政务服务事项 code: letters, digits, dots, dashes and underscores, at most 96."""
    code = value.strip()
    if not _SERVICE_ITEM.match(code):
        raise invalid(f"政务服务事项编码有误：{value!r}", "service_item")
    return code
