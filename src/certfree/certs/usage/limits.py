"""Rate limits of the short-code and verification routes, counted in the database.

A node keeps no process state but its database (several workers, several machines), so each
counted request is a row in ``cert_rate_hits`` and a limit is a sliding window: at most
``limit`` rows of one key younger than ``window`` seconds. A refused request is not counted,
so a client that keeps hammering gets through again at the rate the limit allows, no faster.

Why these limits: a short code is 8 of 31 characters (about 2^39.6) and lives 120 s, so a
guesser needs ~10^11 tries per live code; capping misses (redeeming a code that does not
exist) at 10 per 10 minutes per address and per verifier account makes guessing hopeless
and costs an honest gate nothing (a mistyped code is rare). Per-code attempts are capped so
one code cannot be hammered; whole-request caps keep one address from flooding the table.

Verification (``POST /verifications``) is counted per verifier account: every request
appends to a holder's use log (用证记录) or costs two signature checks, so one account,
honest or stolen, may not flood either. 120 a minute is two a second, more than a gate's
lanes can present on one account; a flood of variants of one seen presentation into one
holder's log is capped further in ``usage.log`` (records per certificate per verifier).

The caller counts in a transaction of its own that commits before the redemption runs: a
failed redemption rolls its own transaction back, and the attempt must stay counted.
``limit_issue``, ``limit_redeem``, ``record_miss`` and ``limit_verify`` are the routes' uses.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from certfree.certs.usage.codes import normalise_code
from certfree.certs.usage.models import RateHit
from certfree.errors import TooManyRequests
from certfree.storage import utcnow

__all__ = [
    "ISSUE_PER_ADDRESS",
    "MISSES_PER_ADDRESS",
    "MISSES_PER_VERIFIER",
    "REDEEM_PER_ADDRESS",
    "REDEEM_PER_CODE",
    "REDEEM_PER_VERIFIER",
    "VERIFY_PER_VERIFIER",
    "RateRule",
    "count_request",
    "limit_issue",
    "limit_redeem",
    "limit_verify",
    "record_hits",
    "record_miss",
    "refuse_if_over",
]


@dataclass(frozen=True, slots=True)
class RateRule:
    """At most ``limit`` requests of one subject in any ``window`` seconds."""

    name: str
    limit: int
    window: int
    what_zh: str  # what is being limited, for the message: "同一地址申请短码"

    def key(self, subject: str) -> str:
        return f"{self.name}:{subject}"[:160]


ISSUE_PER_ADDRESS = RateRule("issue-address", 20, 60, "同一地址申请短码")
REDEEM_PER_ADDRESS = RateRule("redeem-address", 30, 60, "同一地址兑换短码")
REDEEM_PER_VERIFIER = RateRule("redeem-verifier", 30, 60, "同一核验账号兑换短码")
REDEEM_PER_CODE = RateRule("redeem-code", 5, 60, "同一短码兑换")
MISSES_PER_ADDRESS = RateRule("miss-address", 10, 600, "同一地址兑换不存在的短码")
MISSES_PER_VERIFIER = RateRule("miss-verifier", 10, 600, "同一核验账号兑换不存在的短码")
VERIFY_PER_VERIFIER = RateRule("verify-verifier", 120, 60, "同一核验账号核验亮证")

# Rows older than the longest window count for nothing; they are swept as new ones arrive.
_RULES = (
    ISSUE_PER_ADDRESS,
    REDEEM_PER_ADDRESS,
    REDEEM_PER_VERIFIER,
    REDEEM_PER_CODE,
    MISSES_PER_ADDRESS,
    MISSES_PER_VERIFIER,
    VERIFY_PER_VERIFIER,
)
_KEEP = dt.timedelta(seconds=max(rule.window for rule in _RULES))


def _window_label(seconds: int) -> str:
    return f"{seconds // 60} 分钟" if seconds % 60 == 0 else f"{seconds} 秒"


def _over(session: Session, rule: RateRule, subject: str, moment: dt.datetime) -> int | None:
    """Seconds until ``subject`` may make a request under ``rule`` again; None when it may."""
    since = moment - dt.timedelta(seconds=rule.window)
    times = list(
        session.scalars(
            select(RateHit.at)
            .where(RateHit.key == rule.key(subject), RateHit.at > since)
            .order_by(RateHit.at)
        )
    )
    if len(times) < rule.limit:
        return None
    # The window admits one more once the (n - limit + 1)-th oldest hit has left it.
    frees_at = times[len(times) - rule.limit] + dt.timedelta(seconds=rule.window)
    return max(1, math.ceil((frees_at - moment).total_seconds()))


def refuse_if_over(
    session: Session,
    hits: Sequence[tuple[RateRule, str]],
    *,
    now: dt.datetime | None = None,
) -> None:
    """Raise TooManyRequests (with Retry-After) if any (rule, subject) is at its limit."""
    moment = now or utcnow()
    for rule, subject in hits:
        wait = _over(session, rule, subject, moment)
        if wait is not None:
            raise TooManyRequests(
                f"{rule.what_zh}过于频繁：{_window_label(rule.window)}内最多 {rule.limit} 次，"
                f"请 {wait} 秒后再试",
                retry_after=wait,
            )


def record_hits(
    session: Session,
    hits: Sequence[tuple[RateRule, str]],
    *,
    now: dt.datetime | None = None,
) -> None:
    """Count one request under each (rule, subject), and sweep rows too old to count."""
    moment = now or utcnow()
    session.execute(delete(RateHit).where(RateHit.at < moment - _KEEP))
    session.add_all(RateHit(key=rule.key(subject), at=moment) for rule, subject in hits)
    session.flush()


def count_request(
    session: Session,
    hits: Sequence[tuple[RateRule, str]],
    *,
    now: dt.datetime | None = None,
) -> None:
    """Refuse the request if any (rule, subject) is at its limit, else count it under each.

    Raises TooManyRequests naming the limit and the seconds to wait. Two requests racing
    may both pass at the limit's edge; a window holds at most a few more than ``limit``.
    """
    moment = now or utcnow()
    refuse_if_over(session, hits, now=moment)
    record_hits(session, hits, now=moment)


def limit_issue(session: Session, address: str, *, now: dt.datetime | None = None) -> None:
    """Count a request for a short code from ``address``; TooManyRequests over the limit."""
    count_request(session, [(ISSUE_PER_ADDRESS, address)], now=now)


def _misses(address: str, verifier: str) -> list[tuple[RateRule, str]]:
    return [(MISSES_PER_ADDRESS, address), (MISSES_PER_VERIFIER, verifier)]


def limit_redeem(
    session: Session, code: str, *, address: str, verifier: str, now: dt.datetime | None = None
) -> None:
    """Refuse a guesser (too many unknown codes from ``address`` or ``verifier``), then count
    one redemption of ``code`` per address, verifier account and code; TooManyRequests."""
    moment = now or utcnow()
    refuse_if_over(session, _misses(address, verifier), now=moment)
    count_request(
        session,
        [
            (REDEEM_PER_ADDRESS, address),
            (REDEEM_PER_VERIFIER, verifier),
            (REDEEM_PER_CODE, normalise_code(code)),
        ],
        now=moment,
    )


def record_miss(
    session: Session, *, address: str, verifier: str, now: dt.datetime | None = None
) -> None:
    """Count a redemption of a code that does not exist (see limit_redeem)."""
    record_hits(session, _misses(address, verifier), now=now)


def limit_verify(session: Session, verifier: str, *, now: dt.datetime | None = None) -> None:
    """Count one verification by the ``verifier`` account; TooManyRequests over the limit."""
    count_request(session, [(VERIFY_PER_VERIFIER, verifier)], now=now)
