"""Figures of this node's applications split by service item or by month:
``GET /api/v1/applications/stats/groups`` (the bureau's charts; the totals are at
``/applications/stats``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from certfree import applications as apps
from certfree.api.deps import NodeDep, SessionDep, allow
from certfree.auth import Principal, Role

router = APIRouter(prefix="/api/v1", tags=["applications"])


@router.get("/applications/stats/groups")
def grouped(
    node: NodeDep,
    session: SessionDep,
    _: Annotated[Principal, Depends(allow(Role.CLERK, Role.BUREAU_ADMIN, Role.CIO))],
    by: Annotated[apps.StatsGrouping, Query(description="service_item or month")],
) -> list[apps.StatsGroup]:
    """The figures of ``/applications/stats`` for each service item or each month (Beijing
    time of submission), in order of code or month."""
    return apps.grouped_stats(session, by, node_code=node.settings.node_code)
