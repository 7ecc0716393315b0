"""Controlled vocabularies of the departmental source data, as StrEnums stored by value.

Each member's ``zh`` is the Chinese term the holding department uses; values are short English
words (stable in the database and in JSON), except licence classes, whose values are the codes
printed on the licence.
"""

from __future__ import annotations

import enum

from certfree.identifiers import Sex

__all__ = [
    "SEX_ZH",
    "EntityType",
    "FirmStatus",
    "InsuranceKind",
    "InsuranceStatus",
    "LicenceClass",
    "MarriageStatus",
    "Sex",
    "TaxpayerKind",
    "VehicleType",
]


class _Labelled(enum.StrEnum):
    @property
    def zh(self) -> str:
        """The Chinese term for this value."""
        return _ZH[type(self).__name__][self.value]


class MarriageStatus(_Labelled):
    MARRIED = "married"
    DIVORCED = "divorced"


class EntityType(_Labelled):
    """Market entity types registered by 市场监管 (GB 32100 entity-type digit 1, 2, 3)."""

    ENTERPRISE = "enterprise"
    INDIVIDUAL = "individual"
    COOPERATIVE = "cooperative"


class FirmStatus(_Labelled):
    ACTIVE = "active"
    REVOKED = "revoked"
    DEREGISTERED = "deregistered"


class InsuranceKind(_Labelled):
    PENSION = "pension"
    MEDICAL = "medical"
    UNEMPLOYMENT = "unemployment"
    WORK_INJURY = "work_injury"


class InsuranceStatus(_Labelled):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    RECEIVING = "receiving"
    TERMINATED = "terminated"


class VehicleType(_Labelled):
    """Vehicle types of GA 802 (机动车类型), the few the demo uses."""

    SMALL_CAR = "small_car"
    LARGE_CAR = "large_car"
    MOTORCYCLE = "motorcycle"


class LicenceClass(_Labelled):
    """Driving-licence classes (准驾车型) of 《机动车驾驶证申领和使用规定》 Annex 1."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    D = "D"


class TaxpayerKind(_Labelled):
    FIRM = "firm"
    PERSON = "person"


# GB/T 2261.1 sex; the enum is the one GB 11643 parsing returns (odd sequence = male).
SEX_ZH: dict[Sex, str] = {Sex.MALE: "男", Sex.FEMALE: "女"}

_ZH: dict[str, dict[str, str]] = {
    "MarriageStatus": {"married": "已婚", "divorced": "离婚"},
    "EntityType": {
        "enterprise": "企业",
        "individual": "个体工商户",
        "cooperative": "农民专业合作社",
    },
    "FirmStatus": {"active": "存续", "revoked": "吊销", "deregistered": "注销"},
    "InsuranceKind": {
        "pension": "养老保险",
        "medical": "医疗保险",
        "unemployment": "失业保险",
        "work_injury": "工伤保险",
    },
    "InsuranceStatus": {
        "active": "参保缴费",
        "suspended": "暂停缴费",
        "receiving": "领取待遇",
        "terminated": "终止参保",
    },
    "VehicleType": {"small_car": "小型汽车", "large_car": "大型汽车", "motorcycle": "普通摩托车"},
    "LicenceClass": {
        "A1": "大型客车",
        "A2": "重型牵引挂车",
        "B1": "中型客车",
        "B2": "大型货车",
        "C1": "小型汽车",
        "C2": "小型自动挡汽车",
        "D": "普通三轮摩托车",
    },
    "TaxpayerKind": {"firm": "单位纳税人", "person": "自然人纳税人"},
}
