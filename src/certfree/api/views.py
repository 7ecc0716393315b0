"""Response models shared by several route modules, and the base every response model uses.

A view is read from an ORM row or a domain dataclass (``View.model_validate(row)``, through
``from_attributes``) or from the JSON-ready dict a domain builds for the API, the CLI and the
node exchange alike (``GrantView.model_validate(catalog.grant_view(grant))``). A key the
model does not declare is an error rather than silently dropped, so the OpenAPI schema stays
the shape of the answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "GrantView",
    "ImportedFile",
    "IsoTimestamp",
    "RowErrorView",
    "View",
    "omitted_if_none",
]


def _isoformat(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


# A date or time as the domains' JSON writes it (``isoformat()``: ``+00:00``, not ``Z``), so a
# view read from a row answers what the domain's own JSON would.
IsoTimestamp = Annotated[str, BeforeValidator(_isoformat)]


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


def omitted_if_none(description: str = "") -> Any:
    """A field the answer leaves out (rather than sending ``null``) when it has no value."""
    return Field(default=None, exclude_if=lambda value: value is None, description=description)


class RowErrorView(View):
    row: int
    column: str
    reason: str


class ImportedFile(View):
    """What an import read (``certfree.tabular.ImportReport``); each domain adds its counts."""

    filename: str
    format: str
    encoding: str | None
    rows: int = Field(description="data rows read")


class GrantView(View):
    """A sharing grant (``catalog.grant_view``): a verification question, or a catalog
    resource requested for a demand and decided by its provider."""

    id: int
    consumer: str
    provider: str
    question: str | None
    service_item: str
    purpose: str
    data_items: list[str]
    valid_from: str
    valid_to: str | None
    consent_exempt_basis: str | None
    status: str
    status_zh: str
    created_by: str
    created_at: str
    revoked_at: str | None
    revoked_by: str | None
    revoke_reason: str | None
    effective_status: str = Field(description="as of now: an active grant past valid_to is expired")
    effective_status_zh: str
    kind: Literal["question", "resource"]
    resource_code: str | None
    demand_id: int | None
    whole_resource: bool
    requested: dict[str, Any] | None = Field(description="the request as made, before decision")
    decision_note: str | None
    decided_by: str | None
    decided_at: str | None
    grade: int | None = Field(
        description="highest grade (1–6) of the fields covered; null: none labelled"
    )
    legal_basis: str | None = Field(description="个人信息保护法 第13条 ground (catalog.LegalBasis)")
    legal_basis_zh: str | None
    legal_basis_en: str | None
    legal_basis_text: str | None = Field(description="the law, regulation or duty cited")
    approvals_needed: list[str] = Field(description="levels whose approval the grade calls for")
    approvals: list[dict[str, Any]] = Field(description="approvals recorded: level, actor, at")
