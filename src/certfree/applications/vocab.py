"""The words of an application (办件): its states, decisions, evidence-slot statuses, actions.

Each is a StrEnum stored by value, with Chinese and English labels for people. The lifecycle
follows the usual 申请 → 受理 → 核验 → 办结 of an administrative licence (《中华人民共和国行政
许可法》第二十九条至第四十二条), with 补正 (第三十二条第一款第四项) and 撤回.
"""

from __future__ import annotations

import enum

__all__ = [
    "CLOCK_STATES",
    "EVIDENCE_STATES",
    "OPEN_STATES",
    "Action",
    "AppState",
    "Decision",
    "SlotStatus",
]


class _Labelled(enum.StrEnum):
    @property
    def label_zh(self) -> str:
        return _LABELS[type(self).__name__][self.value][0]

    @property
    def label_en(self) -> str:
        return _LABELS[type(self).__name__][self.value][1]


class AppState(_Labelled):
    DRAFT = "draft"  # being prepared by the applicant; evidence may already be gathered
    SUBMITTED = "submitted"  # 申请: handed in, a receipt sealed
    ACCEPTED = "accepted"  # 受理: the clock of the promised time limit runs
    NOT_ACCEPTED = "not_accepted"  # 不予受理, with the reason (行政许可法第三十二条)
    VERIFYING = "verifying"  # 核验: evidence still being established
    CORRECTION_REQUESTED = "correction_requested"  # 补正: the applicant must supply something
    DECIDED = "decided"  # 办结: approved or refused
    WITHDRAWN = "withdrawn"  # 撤回 by the applicant


OPEN_STATES = frozenset(
    {
        AppState.DRAFT,
        AppState.SUBMITTED,
        AppState.ACCEPTED,
        AppState.VERIFYING,
        AppState.CORRECTION_REQUESTED,
    }
)
# States in which evidence is still gathered (presented, signed, asked, answered): every open
# state, 补正 included — the applicant supplies what was asked for while the clock stands
# (行政许可法第三十二条第一款第四项); a decided, withdrawn or refused case is left alone.
EVIDENCE_STATES = OPEN_STATES
# States in which the promised time limit runs (补正 stops it: 补正期间不计入承诺时限).
CLOCK_STATES = frozenset({AppState.ACCEPTED, AppState.VERIFYING})


class Decision(_Labelled):
    APPROVED = "approved"  # 准予
    REFUSED = "refused"  # 不予


class SlotStatus(_Labelled):
    PLANNED = "planned"  # a way is chosen, not yet carried out
    MET = "met"  # established, with its proof
    WAITING = "waiting"  # asked (a department verification, a node that is down), no answer yet
    FAILED = "failed"  # the way answered "no" (e.g. married when single is required)
    PAPER_REQUIRED = "paper_required"  # the list still allows a paper proof; the clerk records it
    UNMET = "unmet"  # no open way for this requirement


class Action(_Labelled):
    START = "start"
    ADD_PARTY = "add_party"
    CONSENT = "consent"
    WALLET_KEY = "wallet_key"
    EVIDENCE = "evidence"
    SUBMIT = "submit"
    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    VERIFY = "verify"
    REQUEST_CORRECTION = "request_correction"
    DECIDE = "decide"
    WITHDRAW = "withdraw"
    ISSUE = "issue"
    AFTER_CHECK = "after_check"
    NOTICE = "notice"  # a register notice queued for the register's department
    NOTICE_DELIVERED = "notice_delivered"
    NOTICE_REFUSED = "notice_refused"


_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "AppState": {
        "draft": ("草稿", "draft"),
        "submitted": ("已申请", "submitted"),
        "accepted": ("已受理", "accepted"),
        "not_accepted": ("不予受理", "not accepted"),
        "verifying": ("核验中", "verifying"),
        "correction_requested": ("待补正", "correction requested"),
        "decided": ("已办结", "decided"),
        "withdrawn": ("已撤回", "withdrawn"),
    },
    "Decision": {
        "approved": ("准予办理", "approved"),
        "refused": ("不予办理", "refused"),
    },
    "SlotStatus": {
        "planned": ("待核验", "planned"),
        "met": ("已满足", "met"),
        "waiting": ("等待答复", "waiting"),
        "failed": ("未满足", "not met"),
        "paper_required": ("需纸质证明", "paper proof required"),
        "unmet": ("无可用途径", "no way open"),
    },
    "Action": {
        "start": ("创建办件", "started"),
        "add_party": ("添加当事人", "party added"),
        "consent": ("当事人授权", "consent given"),
        "wallet_key": ("登记卡包公钥", "wallet key registered"),
        "evidence": ("核验材料", "evidence recorded"),
        "submit": ("提交申请", "submitted"),
        "accept": ("受理", "accepted"),
        "not_accept": ("不予受理", "not accepted"),
        "verify": ("开始核验", "verification started"),
        "request_correction": ("要求补正", "correction requested"),
        "decide": ("作出决定", "decided"),
        "withdraw": ("撤回申请", "withdrawn"),
        "issue": ("颁发电子证照", "certificate issued"),
        "after_check": ("事后核查", "after-check"),
        "notice": ("推送登记信息", "register notice queued"),
        "notice_delivered": ("登记信息已送达", "register notice delivered"),
        "notice_refused": ("登记信息被拒收", "register notice refused"),
    },
}
