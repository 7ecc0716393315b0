"""The words of the proof-item list: ways of meeting a proof, legal levels, excluded areas.

Each vocabulary is a StrEnum stored by its value, with Chinese and English labels for people;
``parse_*`` accept either the value or the Chinese label, as government spreadsheets use.
"""

from __future__ import annotations

import enum

__all__ = [
    "SUFFICIENT_LEVELS",
    "WAY_PREFERENCE",
    "BasisLevel",
    "ChangeKind",
    "ExcludedArea",
    "ProofItemStatus",
    "Way",
]


class Way(enum.StrEnum):
    """A way a proof item can be met, instead of (or, last, as) a paper proof."""

    CANCELLED = "cancelled"  # 直接取消: no longer asked for at all
    DATA_SHARING = "data_sharing"  # 数据共享核验: the desk asks the data-sharing exchange
    E_CERTIFICATE = "e_certificate"  # 电子证照: the applicant shows an e-certificate
    COMMITMENT = "commitment"  # 告知承诺: the applicant signs a commitment (国办发〔2020〕42号)
    DEPARTMENT_VERIFICATION = "department_verification"  # 部门核验: the issuer is asked
    PAPER = "paper"  # 纸质证明: still required on paper, kept only with a legal basis

    @property
    def label_zh(self) -> str:
        return _WAY_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _WAY_LABELS[self][1]


# Cheapest for the applicant first: the order the route resolver tries them in.
WAY_PREFERENCE: tuple[Way, ...] = (
    Way.CANCELLED,
    Way.DATA_SHARING,
    Way.E_CERTIFICATE,
    Way.COMMITMENT,
    Way.DEPARTMENT_VERIFICATION,
    Way.PAPER,
)

_WAY_LABELS: dict[Way, tuple[str, str]] = {
    Way.CANCELLED: ("直接取消", "cancelled"),
    Way.DATA_SHARING: ("数据共享核验", "data sharing"),
    Way.E_CERTIFICATE: ("电子证照", "e-certificate"),
    Way.COMMITMENT: ("告知承诺", "commitment"),
    Way.DEPARTMENT_VERIFICATION: ("部门核验", "department verification"),
    Way.PAPER: ("纸质证明", "paper proof"),
}


class BasisLevel(enum.StrEnum):
    """The level (效力层级) of a legal document that a proof requirement rests on."""

    LAW = "law"
    ADMINISTRATIVE_REGULATION = "administrative_regulation"
    STATE_COUNCIL_DECISION = "state_council_decision"
    LOCAL_REGULATION = "local_regulation"
    DEPARTMENTAL_RULE = "departmental_rule"
    LOCAL_GOVERNMENT_RULE = "local_government_rule"
    NORMATIVE_DOCUMENT = "normative_document"

    @property
    def label_zh(self) -> str:
        return _LEVEL_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LEVEL_LABELS[self][1]

    @property
    def may_demand_proof(self) -> bool:
        """Whether a document of this level can by itself make a proof demandable."""
        return self in SUFFICIENT_LEVELS


_LEVEL_LABELS: dict[BasisLevel, tuple[str, str]] = {
    BasisLevel.LAW: ("法律", "law"),
    BasisLevel.ADMINISTRATIVE_REGULATION: ("行政法规", "administrative regulation"),
    BasisLevel.STATE_COUNCIL_DECISION: ("国务院决定", "State Council decision"),
    BasisLevel.LOCAL_REGULATION: ("地方性法规", "local regulation"),
    BasisLevel.DEPARTMENTAL_RULE: ("部门规章", "departmental rule"),
    BasisLevel.LOCAL_GOVERNMENT_RULE: ("地方政府规章", "local government rule"),
    BasisLevel.NORMATIVE_DOCUMENT: ("规范性文件", "normative document"),
}

# The legal-basis rule (see certfree.proofs.sufficiency for the full reasoning): only laws,
# administrative regulations, State Council decisions and local regulations may create a
# requirement (《行政许可法》第十四条、第十五条、第十七条; 国办发〔2018〕47号 "没有法律法规依据的
# 证明一律取消"). Rules and normative documents may only specify how it is met (第十六条).
SUFFICIENT_LEVELS: frozenset[BasisLevel] = frozenset(
    {
        BasisLevel.LAW,
        BasisLevel.ADMINISTRATIVE_REGULATION,
        BasisLevel.STATE_COUNCIL_DECISION,
        BasisLevel.LOCAL_REGULATION,
    }
)


class ExcludedArea(enum.StrEnum):
    """Areas where a commitment may not replace a proof (国办发〔2020〕42号 二(一))."""

    NATIONAL_SECURITY = "national_security"
    STATE_SECRETS = "state_secrets"
    PUBLIC_SAFETY = "public_safety"
    FINANCIAL_PRUDENTIAL_SUPERVISION = "financial_prudential_supervision"
    ECOLOGICAL_ENVIRONMENT = "ecological_environment"
    LIFE_HEALTH_PROPERTY = "life_health_property"
    FOREIGN_AFFAIRS = "foreign_affairs"

    @property
    def label_zh(self) -> str:
        return _AREA_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _AREA_LABELS[self][1]


_AREA_LABELS: dict[ExcludedArea, tuple[str, str]] = {
    ExcludedArea.NATIONAL_SECURITY: ("国家安全", "national security"),
    ExcludedArea.STATE_SECRETS: ("国家秘密", "state secrets"),
    ExcludedArea.PUBLIC_SAFETY: ("公共安全", "public safety"),
    ExcludedArea.FINANCIAL_PRUDENTIAL_SUPERVISION: ("金融审慎监管", "prudential supervision"),
    ExcludedArea.ECOLOGICAL_ENVIRONMENT: ("生态环境保护", "ecological environment"),
    ExcludedArea.LIFE_HEALTH_PROPERTY: (
        "直接关系人身健康、生命财产安全",
        "life, health and property safety",
    ),
    ExcludedArea.FOREIGN_AFFAIRS: ("涉外事项", "foreign affairs"),
}


class ProofItemStatus(enum.StrEnum):
    """active → to_abolish (flagged by the legal-basis check) → abolished (by a person)."""

    ACTIVE = "active"
    TO_ABOLISH = "to_abolish"
    ABOLISHED = "abolished"

    @property
    def label_zh(self) -> str:
        return {"active": "保留", "to_abolish": "拟取消", "abolished": "已取消"}[self.value]

    @property
    def label_en(self) -> str:
        return {"active": "kept", "to_abolish": "to abolish", "abolished": "abolished"}[self.value]


class ChangeKind(enum.StrEnum):
    """What a change-log entry records."""

    ADD_ITEM = "add_item"
    AMEND_ITEM = "amend_item"
    ABOLISH_ITEM = "abolish_item"
    ADD_BASIS = "add_basis"
    REMOVE_BASIS = "remove_basis"
    REPEAL_DOCUMENT = "repeal_document"
    FLAG_ITEM = "flag_item"
    IMPORT = "import"
    PUBLISH = "publish"
