"""One vocabulary of data classes and grades (数据分类分级), kept as data in ``classes.json``.

Grades are one integer scale: 1–4 the levels of general data (GB/T 43697-2024 附录H), 5 important
data (附录G), 6 core data (§6.1). A class names what a value is (a person's name, an identity
document number, health information …), whether it is personal or sensitive personal information
(个人信息保护法 第4条、第28条), its grade and the masking rule shown to those not granted it.
A field may be graded above its class, never below: GB/T 43697-2024 §4 就高从严.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from certfree.errors import InvalidInput

__all__ = [
    "CORE_GRADE",
    "IMPORTANT_GRADE",
    "DataClass",
    "Grade",
    "Personal",
    "class_of",
    "classes",
    "field_grade",
    "grade_of",
    "grades",
    "level_grade",
    "suggest_class",
]

IMPORTANT_GRADE = 5
CORE_GRADE = 6


class Personal(enum.StrEnum):
    """Whether a class is personal information (个人信息保护法 第4条) and sensitive (第28条)."""

    NONE = "none"
    PERSONAL = "personal"
    SENSITIVE = "sensitive"


@dataclass(frozen=True, slots=True)
class Grade:
    grade: int
    level: str  # GB/T 43697-2024 §6.1: general, important or core
    name: str
    name_en: str
    basis: str

    def to_json(self) -> dict[str, Any]:
        return {
            "grade": self.grade,
            "level": self.level,
            "name": self.name,
            "name_en": self.name_en,
            "basis": self.basis,
        }


@dataclass(frozen=True, slots=True)
class DataClass:
    code: str
    name: str
    name_en: str
    grade: int
    personal: Personal
    mask: str
    aliases: tuple[str, ...]
    basis: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "name_en": self.name_en,
            "grade": self.grade,
            "level": grade_of(self.grade).level,
            "personal": self.personal.value,
            "mask": self.mask,
            "aliases": list(self.aliases),
            "basis": self.basis,
        }


@cache
def _vocabulary() -> tuple[dict[int, Grade], dict[str, DataClass]]:
    text = resources.files("certfree.classification").joinpath("classes.json").read_text("utf-8")
    raw = json.loads(text)
    graded = {int(g["grade"]): Grade(**g) for g in raw["grades"]}
    known: dict[str, DataClass] = {}
    for item in raw["classes"]:
        kind = DataClass(
            code=item["code"],
            name=item["name"],
            name_en=item["name_en"],
            grade=int(item["grade"]),
            personal=Personal(item["personal"]),
            mask=item["mask"],
            aliases=tuple(item.get("aliases", ())),
            basis=item["basis"],
        )
        if kind.grade not in graded:
            raise ValueError(f"class {kind.code}: grade {kind.grade} is not in the grade table")
        known[kind.code] = kind
    return graded, known


def grades() -> tuple[Grade, ...]:
    return tuple(_vocabulary()[0].values())


def classes() -> tuple[DataClass, ...]:
    return tuple(_vocabulary()[1].values())


def grade_of(grade: int) -> Grade:
    graded = _vocabulary()[0]
    if grade not in graded:
        known = ", ".join(str(g) for g in graded)
        raise InvalidInput(f"未知的数据级别 {grade}（可用：{known}）", field="grade")
    return graded[grade]


def class_of(text: str, *, field: str = "classification") -> DataClass:
    """The class whose code, name or alias is ``text``; InvalidInput naming ``field`` if none."""
    cleaned = text.strip()
    for kind in _vocabulary()[1].values():
        if cleaned in (kind.code, kind.name) or cleaned in kind.aliases:
            return kind
    codes = ", ".join(_vocabulary()[1])
    raise InvalidInput(f"未知的数据分类 {cleaned!r}；可用的分类代码：{codes}", field=field)


def level_grade(level: str) -> int | None:
    """The grade a GB/T 43697 level forces: important 5, core 6, general none."""
    return {"important": IMPORTANT_GRADE, "core": CORE_GRADE}.get(level)


def field_grade(kind: DataClass, declared: int | None, *, field: str = "grade") -> int:
    """The grade of a field of class ``kind``: ``declared`` if given (never below the class's:
    GB/T 43697-2024 §4 就高从严), else the class's own."""
    if declared is None:
        return kind.grade
    grade_of(declared)
    if declared < kind.grade:
        raise InvalidInput(
            f"级别 {declared} 低于分类“{kind.name}”（{kind.code}）的级别 {kind.grade}："
            "数据分级就高从严（GB/T 43697-2024 §4）",
            field=field,
        )
    return declared


# Words in a data item's name that tell its class when an import leaves the class out; the
# first match wins, so the more specific words come first.
_SUGGESTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("身份证", "身份号码", "证件号码", "社会保障号码"), "sensitive.identity"),
    (("病", "诊断", "健康", "体检", "孕", "出生体重"), "sensitive.health"),
    (("人脸", "指纹", "虹膜", "声纹"), "sensitive.biometric"),
    (("银行卡", "账号", "账户", "社保卡号"), "sensitive.financial_account"),
    (("行踪", "轨迹", "定位"), "sensitive.whereabouts"),
    (("婚姻", "婚史", "配偶", "离婚", "结婚"), "sensitive.family"),
    (("宗教", "犯罪", "违法记录"), "sensitive.specific_identity"),
    (("不动产", "房产", "存款", "收入", "纳税额", "缴费金额"), "sensitive.property"),
    (("出生日期", "生日"), "personal.birth_date"),
    (("电话", "手机", "邮箱", "联系方式"), "personal.contact"),
    (("住址", "地址", "住所", "居住地"), "personal.address"),
    (("姓名",), "personal.name"),
    (("统一社会信用代码", "企业名称", "法定代表人", "登记机关", "经营范围"), "organisation"),
)


def suggest_class(name: str) -> DataClass:
    """The class a data item called ``name`` most likely has (一般政务数据 when nothing fits)."""
    for words, code in _SUGGESTIONS:
        if any(word in name for word in words):
            return _vocabulary()[1][code]
    return _vocabulary()[1]["public_affairs"]
