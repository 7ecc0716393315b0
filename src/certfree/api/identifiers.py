"""Check a Chinese identifier the way a service-desk clerk would type it."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from certfree import identifiers
from certfree.api.deps import allow
from certfree.auth import ALL_ROLES, Principal

router = APIRouter(prefix="/api/v1/identifiers", tags=["identifiers"])


class Kind(enum.StrEnum):
    RESIDENT_ID = "resident-id"
    USCC = "uscc"
    DIVISION = "division"
    CERT_ID = "cert-id"


PARSERS: dict[Kind, Callable[[str], Any]] = {
    Kind.RESIDENT_ID: identifiers.parse_resident_id,
    Kind.USCC: identifiers.parse_uscc,
    Kind.DIVISION: identifiers.parse_division,
    Kind.CERT_ID: identifiers.parse_cert_id,
}


@router.get("/{kind}")
def check_identifier(
    kind: Kind,
    value: Annotated[str, Query(min_length=1, max_length=200)],
    _: Annotated[Principal, Depends(allow(*ALL_ROLES))],
) -> dict[str, Any]:
    """Parse ``value``; 422 problem+json names the exact fault (e.g. the right check character)."""
    try:
        parsed = PARSERS[kind](value)
    except identifiers.InvalidIdentifier as exc:
        exc.field = exc.field or "value"
        raise
    fields = {f.name: getattr(parsed, f.name) for f in dataclasses.fields(parsed)}
    return {"kind": kind.value, "valid": True, **{k: _plain(v) for k, v in fields.items()}}


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | bool | None) else str(value)
