"""The words of the service-item catalogue: levels, lifecycle, kinds of evidence.

Each is a StrEnum stored by its value; ``zh`` is the Chinese term shown to people and
:func:`parse_level` also accepts the Chinese terms government spreadsheets use.
"""

from __future__ import annotations

import enum

from certfree.errors import InvalidInput

__all__ = [
    "ITEM_TYPE_NAMES",
    "EvidenceKind",
    "PartyRole",
    "ServiceItemStatus",
    "ServiceLevel",
    "SubjectKind",
    "parse_level",
]


class _Labelled(enum.StrEnum):
    @property
    def zh(self) -> str:
        """The Chinese term for this value."""
        return _ZH[type(self).__name__][self.value]


class ServiceLevel(_Labelled):
    """The level of government that implements a service item (实施层级)."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class ServiceItemStatus(_Labelled):
    """active ⇄ needs_review (a proof item it uses was flagged); withdrawn ends it."""

    ACTIVE = "active"
    NEEDS_REVIEW = "needs_review"
    WITHDRAWN = "withdrawn"


class EvidenceKind(_Labelled):
    """What one piece of evidence for a requirement is."""

    PROOF_ITEM = "proof_item"  # a proof on the proof-item list, by its code
    CERTIFICATE_TYPE = "certificate_type"  # a GB/T 36904 e-certificate type, by its 21-char code
    DATA_QUESTION = "data_question"  # a data-sharing question, by name, with parameters


class PartyRole(_Labelled):
    """Whose fact a requirement is: the applicant or another party to the application."""

    APPLICANT = "applicant"
    SPOUSE = "spouse"  # the other party of a marriage (婚姻登记条例 第五条: both parties apply)
    HOST = "host"  # 被投靠人, whose household and housing a 投靠 applicant joins
    REPRESENTATIVE = "representative"  # 法定代表人 of a firm being set up
    SHAREHOLDER = "shareholder"  # 股东 (a person or a firm)

    @property
    def label_zh(self) -> str:
        """The Chinese term for this role (申请人, 被投靠人 …)."""
        return self.zh

    @property
    def label_en(self) -> str:
        """The English term for this role."""
        return _PARTY_EN[self.value]


class SubjectKind(_Labelled):
    """Who an applicant is: a citizen (GB 11643 ID number) or an organisation (GB 32100 USCC)."""

    PERSON = "person"
    ORGANISATION = "organisation"


_ZH: dict[str, dict[str, str]] = {
    "ServiceLevel": {"province": "省级", "city": "市级", "county": "县级"},
    "ServiceItemStatus": {"active": "有效", "needs_review": "待复核", "withdrawn": "已停用"},
    "EvidenceKind": {
        "proof_item": "证明事项",
        "certificate_type": "电子证照",
        "data_question": "数据共享核验",
    },
    "SubjectKind": {"person": "自然人", "organisation": "法人或其他组织"},
    "PartyRole": {
        "applicant": "申请人",
        "spouse": "另一方当事人",
        "host": "被投靠人",
        "representative": "法定代表人",
        "shareholder": "股东",
    },
}

_PARTY_EN = {
    "applicant": "applicant",
    "spouse": "other party to the marriage",
    "host": "relative joined (host)",
    "representative": "legal representative",
    "shareholder": "shareholder",
}

_LEVEL_WORDS: dict[str, ServiceLevel] = {
    **{level.value: level for level in ServiceLevel},
    **{level.zh: level for level in ServiceLevel},
    "省": ServiceLevel.PROVINCE,
    "市": ServiceLevel.CITY,
    "县": ServiceLevel.COUNTY,
    "区": ServiceLevel.COUNTY,
    "县级（区）": ServiceLevel.COUNTY,
}


def parse_level(text: str) -> ServiceLevel:
    """A level from its value (``county``) or Chinese term (县级); InvalidInput otherwise."""
    level = _LEVEL_WORDS.get(text.strip())
    if level is None:
        raise InvalidInput(f"层级应为 省级、市级 或 县级，收到「{text}」", field="level")
    return level


# 事项类型 codes as the provincial service platforms export them (e.g. 四川政务服务网's taskType):
# the ten kinds of administrative power in the order of the 权力清单, and 20 for public services.
ITEM_TYPE_NAMES: dict[str, str] = {
    "1": "行政许可",
    "2": "行政处罚",
    "3": "行政强制",
    "4": "行政征收",
    "5": "行政给付",
    "6": "行政检查",
    "7": "行政确认",
    "8": "行政奖励",
    "9": "行政裁决",
    "10": "其他行政权力",
    "20": "公共服务",
}
