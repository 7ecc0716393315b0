"""The nine kinds of department node that every province and city runs in the demo.

The two-letter codes are pinyin initials (公安 GA, 民政 MZ …), the same letters that appear in
department node codes such as ``370100-MZ``. Tax (税务) is a vertically managed department
(垂直管理部门): its offices belong to 国家税务总局, which the names reflect.
"""

from __future__ import annotations

import enum

__all__ = ["DepartmentKind", "department_name"]


class DepartmentKind(enum.StrEnum):
    """A kind of government department; the value is stored and used in node codes."""

    GA = "GA"
    MZ = "MZ"
    RS = "RS"
    SJ = "SJ"
    ZR = "ZR"
    WJ = "WJ"
    SW = "SW"
    ZJ = "ZJ"
    JT = "JT"

    @property
    def name_zh(self) -> str:
        """Short Chinese name, e.g. 民政."""
        return _NAMES[self][0]

    @property
    def name_en(self) -> str:
        """English name, e.g. civil affairs."""
        return _NAMES[self][1]


# kind: (short Chinese, English, provincial organ suffix, city organ suffix)
_NAMES: dict[DepartmentKind, tuple[str, str, str, str]] = {
    DepartmentKind.GA: ("公安", "public security", "公安厅", "公安局"),
    DepartmentKind.MZ: ("民政", "civil affairs", "民政厅", "民政局"),
    DepartmentKind.RS: (
        "人社",
        "human resources and social security",
        "人力资源和社会保障厅",
        "人力资源和社会保障局",
    ),
    DepartmentKind.SJ: ("市场监管", "market regulation", "市场监督管理局", "市场监督管理局"),
    DepartmentKind.ZR: ("自然资源", "natural resources", "自然资源厅", "自然资源和规划局"),
    DepartmentKind.WJ: ("卫健", "health", "卫生健康委员会", "卫生健康委员会"),
    DepartmentKind.SW: ("税务", "taxation", "税务局", "税务局"),
    DepartmentKind.ZJ: (
        "住建",
        "housing and urban-rural development",
        "住房和城乡建设厅",
        "住房和城乡建设局",
    ),
    DepartmentKind.JT: ("交通", "transport", "交通运输厅", "交通运输局"),
}


def department_name(kind: DepartmentKind, region_name: str, *, provincial: bool) -> str:
    """The organ's Chinese name in ``region_name`` (山东省 or a city such as 济南市).

    Provincial organs are 厅 or 局 (山东省民政厅), city organs 局 (济南市民政局); tax offices are
    branches of the State Taxation Administration (国家税务总局济南市税务局).
    """
    suffix = _NAMES[kind][2] if provincial else _NAMES[kind][3]
    name = f"{region_name}{suffix}"
    return f"国家税务总局{name}" if kind is DepartmentKind.SW else name
