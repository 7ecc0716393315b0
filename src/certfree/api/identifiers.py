"""Check a Chinese identifier the way a service-desk clerk would type it."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field, TypeAdapter

from certfree import identifiers
from certfree.api.deps import allow
from certfree.api.views import View
from certfree.auth import ALL_ROLES, Principal

router = APIRouter(prefix="/api/v1/identifiers", tags=["identifiers"])


class IdentifierKind(enum.StrEnum):
    RESIDENT_ID = "resident-id"
    USCC = "uscc"
    DIVISION = "division"
    CERT_ID = "cert-id"


PARSERS: dict[IdentifierKind, Callable[[str], Any]] = {
    IdentifierKind.RESIDENT_ID: identifiers.parse_resident_id,
    IdentifierKind.USCC: identifiers.parse_uscc,
    IdentifierKind.DIVISION: identifiers.parse_division,
    IdentifierKind.CERT_ID: identifiers.parse_cert_id,
}


class _Checked(View):
    valid: Literal[True] = True  # an invalid value is a 422 problem naming its fault


class ResidentIdCheck(_Checked):
    """GB 11643 citizen identity number, by part."""

    kind: Literal[IdentifierKind.RESIDENT_ID]
    number: str
    address_code: str = Field(description="GB/T 2260 division at registration")
    birth_date: str
    sequence: int
    check_char: str


class UsccCheck(_Checked):
    """GB 32100 unified social credit code, by part."""

    kind: Literal[IdentifierKind.USCC]
    code: str
    authority_code: str
    authority_name: str
    entity_type_code: str
    entity_type_name: str
    division_code: str
    org_code: str
    check_char: str


class DivisionCheck(_Checked):
    """GB/T 2260 administrative division."""

    kind: Literal[IdentifierKind.DIVISION]
    code: str
    name: str
    level: str
    parent_code: str | None
    full_name: str
    is_current: bool
    is_placeholder: bool
    valid_from: int | None
    valid_to: int | None
    former_names: list[str]


class CertIdCheck(_Checked):
    """GB/T 36904 certificate identifier, by part."""

    kind: Literal[IdentifierKind.CERT_ID]
    type_code: str
    type_definer: str
    issuer: str
    serial: str
    version: str
    check_char: str


IdentifierCheck = Annotated[
    ResidentIdCheck | UsccCheck | DivisionCheck | CertIdCheck, Field(discriminator="kind")
]
_CHECKED: TypeAdapter[IdentifierCheck] = TypeAdapter(IdentifierCheck)


@router.get("/{kind}")
def check_identifier(
    kind: IdentifierKind,
    value: Annotated[str, Query(min_length=1, max_length=200)],
    _: Annotated[Principal, Depends(allow(*ALL_ROLES))],
) -> IdentifierCheck:
    """Parse ``value``; 422 problem+json names the exact fault (e.g. the right check character)."""
    try:
        parsed = PARSERS[kind](value)
    except identifiers.InvalidIdentifier as exc:
        exc.field = exc.field or "value"
        raise
    fields = {f.name: getattr(parsed, f.name) for f in dataclasses.fields(parsed)}
    plain = {k: _plain(v) for k, v in fields.items()}
    return _CHECKED.validate_python({"kind": kind.value, **plain})


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value if isinstance(value, str | int | bool | None) else str(value)
