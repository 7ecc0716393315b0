"""Who may receive a field: the grants in force that name it (the bureau's field view shows
them beside the field's class, grade and masking; 个人信息保护法 第23条: a recipient is named)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.catalog.grants.models import WHOLE_RESOURCE, Grant, GrantStatus
from certfree.catalog.grants.records import effective_status
from certfree.storage import utcnow

__all__ = ["receivers_of"]


def receivers_of(
    session: Session,
    field: str,
    *,
    question: str | None = None,
    resource_code: str | None = None,
    now: dt.datetime | None = None,
) -> list[Grant]:
    """Who may receive ``field`` unmasked: the grants in force ``now`` that name it (a data
    item of ``question``, or an item of catalog resource ``resource_code``, whose
    whole-resource grants name every item), oldest first. Without ``question`` and
    ``resource_code``, the grants of any question or resource naming ``field``."""
    at = now or utcnow()
    query = select(Grant).where(Grant.status == GrantStatus.ACTIVE).order_by(Grant.id)
    if question is not None:
        query = query.where(Grant.question == question)
    if resource_code is not None:
        query = query.where(Grant.resource_code == resource_code)
    whole_ok = resource_code is not None
    return [
        grant
        for grant in session.scalars(query)
        if effective_status(grant, at) is GrantStatus.ACTIVE
        and grant.valid_from <= at
        and (field in grant.data_items or (whole_ok and WHOLE_RESOURCE in grant.data_items))
    ]
