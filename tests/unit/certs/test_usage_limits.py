"""Rate limits counted in the database: a sliding window, Retry-After, old rows swept."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from certfree.certs import RateRule, count_request, record_hits, refuse_if_over
from certfree.certs.usage.models import RateHit
from certfree.errors import TooManyRequests
from certfree.storage import Database
from factories.certificates import NOW

THREE_A_MINUTE = RateRule("test", 3, 60, "测试请求")
SECOND = dt.timedelta(seconds=1)


def test_the_fourth_request_in_a_minute_waits_for_the_oldest_to_leave(db: Database) -> None:
    with db.session() as session:
        for offset in (0, 10, 20):
            count_request(session, [(THREE_A_MINUTE, "1.2.3.4")], now=NOW + offset * SECOND)
        with pytest.raises(TooManyRequests, match="1 分钟内最多 3 次，请 30 秒后再试") as err:
            count_request(session, [(THREE_A_MINUTE, "1.2.3.4")], now=NOW + 30 * SECOND)
        assert (err.value.status, err.value.slug, err.value.retry_after) == (
            429,
            "too-many-requests",
            30,
        )
        count_request(session, [(THREE_A_MINUTE, "5.6.7.8")], now=NOW + 30 * SECOND)
        # 60 s after the first hit it has left the window: one more request is admitted.
        count_request(session, [(THREE_A_MINUTE, "1.2.3.4")], now=NOW + 60 * SECOND)
        with pytest.raises(TooManyRequests) as err:
            count_request(session, [(THREE_A_MINUTE, "1.2.3.4")], now=NOW + 61 * SECOND)
        assert err.value.retry_after == 9  # the hit at +10 s leaves at +70 s


def test_a_refused_request_is_not_counted_under_any_rule(db: Database) -> None:
    other = RateRule("other", 100, 60, "其他")
    with db.session() as session:
        record_hits(session, [(THREE_A_MINUTE, "a")] * 3, now=NOW)
        with pytest.raises(TooManyRequests):
            count_request(session, [(other, "a"), (THREE_A_MINUTE, "a")], now=NOW)
        refuse_if_over(session, [(other, "a")], now=NOW)
        assert session.scalar(select(func.count()).where(RateHit.key == "other:a")) == 0


def test_rows_older_than_the_longest_window_are_swept(db: Database) -> None:
    with db.session() as session:
        record_hits(session, [(THREE_A_MINUTE, "old")], now=NOW)
        record_hits(session, [(THREE_A_MINUTE, "new")], now=NOW + dt.timedelta(minutes=11))
        assert list(session.scalars(select(RateHit.key))) == ["test:new"]
