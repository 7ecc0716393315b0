"""The words of the government information resource catalog (政务信息资源目录).

Sources: GB/T 21063.3-2007 (core metadata) and GB/T 21063.4-2007 (classification), as applied
by the 《政务信息资源目录编制指南（试行）》 (发改高技〔2017〕1272号), hereafter 编制指南.

Each vocabulary is a StrEnum stored by its value with a Chinese label; :func:`parse` accepts
either the value or the Chinese label (or one of its common spellings), as spreadsheets use.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

from certfree.catalog.errors import InvalidResource

__all__ = [
    "BASIC_CLASSES",
    "DEPARTMENT_CLASSES",
    "SUBJECT_CLASSES",
    "Category",
    "DataGrade",
    "OpenType",
    "ShareMethod",
    "ShareType",
    "UpdateCycle",
    "class_label",
    "label_zh",
    "parse",
]


class Category(enum.StrEnum):
    """编制指南 §6.1.1 resource-attribute classes (信息资源"类", the first code digit)."""

    BASIC = "1"  # 基础信息资源目录
    SUBJECT = "2"  # 主题信息资源目录
    DEPARTMENT = "3"  # 部门信息资源目录


# 编制指南 §6.1.1: the "项" (two digits) under each class. Basic: the five base libraries.
BASIC_CLASSES: Mapping[str, str] = {
    "101": "人口基础信息资源",
    "102": "法人单位基础信息资源",
    "103": "自然资源和空间地理基础信息资源",
    "104": "社会信用基础信息资源",
    "105": "电子证照基础信息资源",
}
# Subject areas listed by 编制指南 §6.1.1 ("包括但不限于"), in the order given there.
SUBJECT_CLASSES: Mapping[str, str] = {
    "201": "公共服务",
    "202": "健康保障",
    "203": "社会保障",
    "204": "食品药品安全",
    "205": "安全生产",
    "206": "价格监管",
    "207": "能源安全",
    "208": "信用体系",
    "209": "城乡建设",
    "210": "社区治理",
    "211": "生态环保",
    "212": "应急维稳",
}
# Department catalogs by the organ's branch of the state; 307 covers provincial and lower organs.
DEPARTMENT_CLASSES: Mapping[str, str] = {
    "301": "党中央",
    "302": "全国人大常委会",
    "303": "国务院",
    "304": "全国政协",
    "305": "最高人民法院",
    "306": "最高人民检察院",
    "307": "省(自治区、直辖市)及其下各级政务部门",
    "308": "计划单列市及其下各级政务部门",
}
_ALL_CLASSES = {**BASIC_CLASSES, **SUBJECT_CLASSES, **DEPARTMENT_CLASSES}


def class_label(class_code: str) -> str:
    """The Chinese name of a classification code's 类-项 prefix ("101" → 人口基础信息资源)."""
    return _ALL_CLASSES.get(class_code[:3], "")


class ShareType(enum.StrEnum):
    """GB/T 21063.3 共享属性 / 编制指南 §5.2: how far other departments may use a resource."""

    UNCONDITIONAL = "unconditional"  # 无条件共享
    CONDITIONAL = "conditional"  # 有条件共享: the conditions must be stated
    NOT_SHARED = "not_shared"  # 不予共享: the legal or policy basis must be stated


class ShareMethod(enum.StrEnum):
    """编制指南 共享方式: how the data is handed over."""

    API = "api"  # 接口核验/查询 through the exchange
    FILE = "file"  # 文件下载
    DATABASE = "database"  # 库表/数据库视图


class OpenType(enum.StrEnum):
    """编制指南 开放属性: whether the resource is opened to the public."""

    UNCONDITIONAL = "unconditional"  # 无条件开放
    CONDITIONAL = "conditional"  # 有条件开放
    NOT_OPEN = "not_open"  # 不予开放


class UpdateCycle(enum.StrEnum):
    """编制指南 更新周期."""

    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    IRREGULAR = "irregular"


class DataGrade(enum.StrEnum):
    """GB/T 43697-2024 §5 data grades, given per data item."""

    GENERAL = "general"  # 一般数据
    IMPORTANT = "important"  # 重要数据
    CORE = "core"  # 核心数据


# Chinese labels, first the one shown; keyed by class because StrEnum members of different
# classes with the same value (ShareType.CONDITIONAL, OpenType.CONDITIONAL) compare equal.
LABELS: dict[type[enum.StrEnum], dict[str, tuple[str, ...]]] = {
    ShareType: {
        "unconditional": ("无条件共享", "无条件"),
        "conditional": ("有条件共享", "有条件"),
        "not_shared": ("不予共享", "不共享"),
    },
    ShareMethod: {
        "api": ("接口", "接口核验", "API", "服务接口"),
        "file": ("文件", "文件下载"),
        "database": ("数据库", "库表", "数据库视图"),
    },
    OpenType: {
        "unconditional": ("无条件开放",),
        "conditional": ("有条件开放",),
        "not_open": ("不予开放", "不开放"),
    },
    UpdateCycle: {
        "realtime": ("实时",),
        "daily": ("每日", "每天"),
        "weekly": ("每周",),
        "monthly": ("每月",),
        "quarterly": ("每季度", "每季"),
        "half_yearly": ("每半年",),
        "yearly": ("每年",),
        "irregular": ("不定期",),
    },
    DataGrade: {
        "general": ("一般", "一般数据"),
        "important": ("重要", "重要数据"),
        "core": ("核心", "核心数据"),
    },
}


def _labels(member: enum.StrEnum) -> tuple[str, ...]:
    return LABELS[type(member)][member.value]


def label_zh(member: enum.StrEnum) -> str:
    return _labels(member)[0]


E = TypeVar("E", bound=enum.StrEnum)


def parse(kind: type[E], text: str, field: str) -> E:
    """The member of ``kind`` whose value or Chinese label is ``text``; else InvalidResource."""
    cleaned = text.strip()
    for member in kind:
        if cleaned.lower() == member.value or cleaned in _labels(member):
            return member
    choices = "、".join(label_zh(m) for m in kind)
    raise InvalidResource(f"「{cleaned}」不是可选值；可选：{choices}", field=field)
