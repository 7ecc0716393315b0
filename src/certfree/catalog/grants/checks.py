"""The provider's check of a request against the sharing grants it has given.

The provider checks every request against its grants before it answers (X-Road's access
rights sit at the provider too). A request is covered when one active grant names the
consumer, this provider and the question, for the service item the request states (用途 — the
purpose is the service item), is within its validity, and allows every data item the answer
must reveal. Everything else is refused with a :class:`GrantRefused` naming the first reason
that applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar, cast

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.orm import Session

from certfree.catalog.errors import GrantReason, GrantRefused
from certfree.catalog.grants.models import WHOLE_RESOURCE, Grant, GrantStatus
from certfree.storage import utcnow

__all__ = ["GrantTerms", "check_grant", "check_question_grant", "covering_grant"]


# Granted and not revoked: what can still cover a request once its period is checked.
_STANDING = frozenset({GrantStatus.ACTIVE, GrantStatus.EXPIRED})
# Built once: the provider checks a grant on every question, and building the expression is
# most of the cost of a query this small.
_CANDIDATES = (
    select(Grant)
    .where(
        Grant.consumer_code == bindparam("consumer"),
        Grant.provider_code == bindparam("provider"),
        Grant.question == bindparam("question"),
    )
    .order_by(Grant.id)
)
# The same candidates as plain rows (SQLAlchemy Core, compiled once): the provider's hot path
# needs their terms, not ORM objects in a session.
_GRANTS = cast(Table, Grant.__table__).c
_TERMS = (
    select(
        _GRANTS.id,
        _GRANTS.service_item,
        _GRANTS.status,
        _GRANTS.valid_from,
        _GRANTS.valid_to,
        _GRANTS.data_items,
        _GRANTS.consent_exempt_basis,
    )
    .where(
        _GRANTS.consumer_code == bindparam("consumer"),
        _GRANTS.provider_code == bindparam("provider"),
        _GRANTS.question == bindparam("question"),
    )
    .order_by(_GRANTS.id)
)


class _Terms(Protocol):
    """What the check reads of a grant: a :class:`Grant` or a :class:`GrantTerms`."""

    @property
    def id(self) -> int: ...
    @property
    def service_item(self) -> str: ...
    @property
    def status(self) -> GrantStatus: ...
    @property
    def valid_from(self) -> dt.datetime: ...
    @property
    def valid_to(self) -> dt.datetime | None: ...
    @property
    def data_items(self) -> list[str]: ...


T = TypeVar("T", bound=_Terms)


@dataclass(frozen=True, slots=True)
class GrantTerms:
    """A question grant's terms as :func:`check_question_grant` read them (no ORM object)."""

    id: int
    service_item: str
    status: GrantStatus
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    data_items: list[str]
    consent_exempt_basis: str | None


def check_grant(
    session: Session,
    *,
    consumer: str,
    provider: str,
    question: str,
    service_item: str,
    data_items: Sequence[str],
    now: dt.datetime | None = None,
) -> Grant:
    """The grant that covers this request; GrantRefused with the reason otherwise.

    Reasons, checked in this order so that the most telling one is named: ``no_grant`` (none
    for this consumer, provider and question), ``wrong_purpose`` (none for this service item),
    ``grant_revoked``, ``grant_not_yet_valid``, ``grant_expired``, ``data_item_not_allowed``.
    """
    params = {"consumer": consumer, "provider": provider, "question": question}
    candidates = list(session.scalars(_CANDIDATES, params))
    who = f"{consumer} → {provider} 的问题 {question}"
    return _covering(candidates, service_item, data_items, now or utcnow(), who)


def check_question_grant(
    connection: Connection,
    *,
    consumer: str,
    provider: str,
    question: str,
    service_item: str,
    data_items: Sequence[str],
    now: dt.datetime | None = None,
) -> GrantTerms:
    """:func:`check_grant` on a connection, without the ORM: the terms of the grant that
    covers this request (read anew on every call, so a revocation refuses the next one), or
    GrantRefused with the same reasons."""
    params = {"consumer": consumer, "provider": provider, "question": question}
    candidates = [GrantTerms(*row) for row in connection.execute(_TERMS, params)]
    who = f"{consumer} → {provider} 的问题 {question}"
    return _covering(candidates, service_item, data_items, now or utcnow(), who)


def _covering(
    candidates: Sequence[T],
    service_item: str,
    data_items: Sequence[str],
    at: dt.datetime,
    who: str,
) -> T:
    if not candidates:
        raise GrantRefused(GrantReason.NO_GRANT, f"{who} 没有任何授权")
    for_item = [g for g in candidates if g.service_item == service_item]
    if not for_item:
        allowed = "、".join(sorted({g.service_item for g in candidates}))
        raise GrantRefused(
            GrantReason.WRONG_PURPOSE, f"{who} 只授权用于 {allowed}，未授权用于 {service_item}"
        )
    # An expired grant (status set by the sweep) falls through to the validity check, so the
    # refusal names the expiry rather than a revocation.
    standing = [g for g in for_item if g.status in _STANDING]
    if not standing:
        if all(g.status in {GrantStatus.PENDING, GrantStatus.REFUSED} for g in for_item):
            raise GrantRefused(
                GrantReason.NO_GRANT, f"{who} 用于 {service_item} 的授权尚未批准或已被拒绝"
            )
        raise GrantRefused(GrantReason.REVOKED, f"{who} 用于 {service_item} 的授权均已撤销")
    return covering_grant(standing, data_items, at, who)


def covering_grant(
    standing: Sequence[T], data_items: Sequence[str], at: dt.datetime, who: str
) -> T:
    """Of granted, unrevoked ``standing`` grants, the newest one valid ``at`` that allows every
    data item (a whole-resource grant allows any); else GrantRefused: ``grant_not_yet_valid``,
    ``grant_expired`` or ``data_item_not_allowed``, ``who`` naming the request in its message.

    Shared by the exchange's question check and the catalog's resource check.
    """
    started = [g for g in standing if g.valid_from <= at]
    if not started:
        first = min(g.valid_from for g in standing)
        raise GrantRefused(GrantReason.NOT_YET_VALID, f"{who} 的授权自 {first.isoformat()} 起生效")
    current = [g for g in started if g.valid_to is None or at < g.valid_to]
    if not current:
        last = max(g.valid_to for g in started if g.valid_to is not None)
        raise GrantRefused(GrantReason.EXPIRED, f"{who} 的授权已于 {last.isoformat()} 到期")
    needed = set(data_items)
    for grant in sorted(current, key=lambda g: g.id, reverse=True):
        if WHOLE_RESOURCE in grant.data_items or needed <= set(grant.data_items):
            return grant
    # Every item may be allowed by some grant but no one grant allows them all: name them all.
    missing = sorted(needed - set().union(*(set(g.data_items) for g in current))) or sorted(needed)
    raise GrantRefused(
        GrantReason.DATA_ITEM_NOT_ALLOWED, f"{who} 的授权不含数据项 {'、'.join(missing)}"
    )
