"""How every labelled field is governed: ``GET /api/v1/governance/fields`` (the bureau's view:
class, grade, masking rule and a masked example of each certificate face field, question answer
field and catalog data item of this node)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from certfree.api.deps import SessionDep, allow
from certfree.auth import Principal, Role
from certfree.governance.field_policy import field_view, masking_of, receivers_aspect

router = APIRouter(prefix="/api/v1", tags=["governance"])


@router.get("/governance/fields")
def fields(
    session: SessionDep,
    _: Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN, Role.CIO))],
) -> dict[str, Any]:
    """Every labelled field: ``source`` (certificate, question, catalog), ``owner`` (type code,
    question name, resource code), ``field``, ``class``, ``grade``, ``mask`` (the rule shown to
    a recipient whose grant does not name the field), ``example`` / ``example_masked``, and
    ``receivers``: the grants in force that name the field (who may receive it unmasked)."""
    return {"fields": field_view(session, (masking_of, receivers_aspect(session)))}
