"""Lifecycles and controlled vocabularies of commitments, after-checks and credit records.

Each is a StrEnum stored by value; ``zh`` gives the Chinese term shown to people.
"""

from __future__ import annotations

import enum

__all__ = [
    "AfterCheckMethod",
    "AfterCheckStatus",
    "CheckOutcome",
    "CommitmentStatus",
    "CreditConsequence",
    "CreditStatus",
    "FormLanguage",
    "FormSection",
]


class _Labelled(enum.StrEnum):
    @property
    def zh(self) -> str:
        """The Chinese term for this value."""
        return _ZH[type(self).__name__][self.value]


class FormLanguage(enum.StrEnum):
    ZH_CN = "zh-CN"
    EN = "en"


class FormSection(_Labelled):
    """The sections a commitment form must carry (国办发〔2020〕42号, 二(二) 规范告知承诺书)."""

    DUTY_TO_PROVE = "duty_to_prove"
    CONTENT = "content"
    MANNER = "manner"
    LIABILITY = "liability"
    VERIFICATION_POWER = "verification_power"
    COOPERATION_DUTY = "cooperation_duty"


class CommitmentStatus(_Labelled):
    """signed → submitted, or signed → withdrawn (withdrawal only before submission)."""

    SIGNED = "signed"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class AfterCheckMethod(_Labelled):
    DATA_CHECK = "data_check"
    ON_SITE = "on_site"
    PUBLIC_NOTICE = "public_notice"
    WRITTEN = "written"


class AfterCheckStatus(_Labelled):
    PENDING = "pending"
    COMPLETED = "completed"


class CheckOutcome(_Labelled):
    CONFIRMED = "confirmed"
    FALSE_COMMITMENT = "false_commitment"
    UNABLE_TO_VERIFY = "unable_to_verify"


class CreditConsequence(_Labelled):
    """Legal consequences of a false commitment (国办发〔2020〕42号, 二(四) 加强事中事后核查)."""

    TERMINATE = "terminate"
    ORDER_CORRECTION = "order_correction"
    REVOKE_DECISION = "revoke_decision"


class CreditStatus(_Labelled):
    OPEN = "open"
    REPAIRED = "repaired"


_ZH: dict[str, dict[str, str]] = {
    "FormSection": {
        "duty_to_prove": "证明义务",
        "content": "证明内容",
        "manner": "承诺方式",
        "liability": "不实承诺的法律责任",
        "verification_power": "行政机关的核查权力",
        "cooperation_duty": "配合核查的义务",
    },
    "CommitmentStatus": {"signed": "已签署", "submitted": "已提交", "withdrawn": "已撤回"},
    "AfterCheckMethod": {
        "data_check": "数据核验",
        "on_site": "现场核查",
        "public_notice": "公示",
        "written": "书面核查",
    },
    "AfterCheckStatus": {"pending": "待核查", "completed": "已核查"},
    "CheckOutcome": {
        "confirmed": "承诺属实",
        "false_commitment": "承诺不实",
        "unable_to_verify": "无法核实",
    },
    "CreditConsequence": {
        "terminate": "终止办理",
        "order_correction": "责令限期整改",
        "revoke_decision": "撤销行政决定",
    },
    "CreditStatus": {"open": "未修复", "repaired": "已修复"},
}
