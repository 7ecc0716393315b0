"""Errors of the applications domain, each a subclass of the one hierarchy in certfree.errors::

NotFound
└── ApplicationNotFound        404 no application with this id (or not visible to the caller)
Conflict
├── WrongState                 409 the act is not possible in the application's state
├── RequirementsNotMet         409 approval while a requirement is not established
├── PartyMissing               409 the service item needs a party the application lacks
└── ResultNotIssuable          409 approval would issue a result certificate that cannot be
                                   (no wallet key, no firm details, a party not in the register)
InvalidInput
└── EvidenceNotAllowed         422 evidence the service item does not allow (清单之外无证明)
"""

from __future__ import annotations

from certfree.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "ApplicationNotFound",
    "EvidenceNotAllowed",
    "PartyMissing",
    "RequirementsNotMet",
    "ResultNotIssuable",
    "WrongState",
]


class ApplicationNotFound(NotFound):
    slug = "application-not-found"
    title = "Application not found"
    title_zh = "办件不存在"


class WrongState(Conflict):
    slug = "application-wrong-state"
    title = "Not possible in the application's state"
    title_zh = "办件当前状态下不能进行该操作"


class RequirementsNotMet(Conflict):
    slug = "application-requirements-not-met"
    title = "Requirements not met"
    title_zh = "申请条件尚未全部核验满足"


class PartyMissing(Conflict):
    slug = "application-party-missing"
    title = "A party is missing"
    title_zh = "缺少当事人"


class ResultNotIssuable(Conflict):
    slug = "application-result-not-issuable"
    title = "The result certificate cannot be issued"
    title_zh = "无法签发办理结果电子证照"


class EvidenceNotAllowed(InvalidInput):
    slug = "evidence-not-allowed"
    title = "Evidence outside the service item's list"
    title_zh = "清单之外，不得索要"
