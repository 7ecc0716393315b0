"""Errors of the commitments domain, each a subclass of the one hierarchy in certfree.errors::

Conflict
├── CommitmentRefused          409 the commitment route is closed for this item/applicant
│   ├── CommitmentNotOffered   409 the item's ways of being met do not include commitment
│   ├── ExcludedAreaRefused    409 the item lies in an area 国办发〔2020〕42号 excludes
│   └── CreditBarred           409 the applicant has an unrepaired false-commitment record
├── StaleCommitmentText        409 the hash signed is not that of the current form text
└── CommitmentStateError       409 e.g. withdrawing a submitted commitment
NotFound
└── CommitmentNotFound / AfterCheckNotFound / CreditRecordNotFound
"""

from __future__ import annotations

from certfree.errors import Conflict, NotFound

__all__ = [
    "AfterCheckNotFound",
    "CommitmentNotFound",
    "CommitmentNotOffered",
    "CommitmentRefused",
    "CommitmentStateError",
    "CreditBarred",
    "CreditRecordNotFound",
    "ExcludedAreaRefused",
    "StaleCommitmentText",
]


class CommitmentRefused(Conflict):
    slug = "commitment-refused"
    title = "Commitment not available"
    title_zh = "不适用告知承诺"


class CommitmentNotOffered(CommitmentRefused):
    slug = "commitment-not-offered"


class ExcludedAreaRefused(CommitmentRefused):
    slug = "commitment-excluded-area"
    title = "Commitment excluded for this area"
    title_zh = "该领域不适用告知承诺"


class CreditBarred(CommitmentRefused):
    slug = "commitment-credit-barred"
    title = "Commitment barred by a credit record"
    title_zh = "存在未修复的失信记录"


class StaleCommitmentText(Conflict):
    slug = "commitment-text-stale"
    title = "Commitment text changed"
    title_zh = "承诺书文本不是当前版本"


class CommitmentStateError(Conflict):
    slug = "commitment-state"
    title = "Not possible in the commitment's current state"
    title_zh = "承诺书当前状态不允许此操作"


class CommitmentNotFound(NotFound):
    slug = "commitment-not-found"


class AfterCheckNotFound(NotFound):
    slug = "after-check-not-found"


class CreditRecordNotFound(NotFound):
    slug = "credit-record-not-found"
