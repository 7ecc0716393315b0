"""How every labelled field is governed: ``GET /api/v1/governance/fields`` (the bureau's view:
class, grade, masking rule and a masked example of each certificate face field, question answer
field and catalog data item of this node)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import Field

from certfree.api.deps import SessionDep, allow
from certfree.api.views import View
from certfree.auth import Principal, Role
from certfree.governance.field_policy import field_view, masking_of, receivers_aspect

router = APIRouter(prefix="/api/v1", tags=["governance"])


class FieldReceiverView(View):
    """A grant in force that names the field: who may receive it unmasked, and why."""

    grant_id: int
    consumer: str
    service_item: str
    purpose: str
    legal_basis: str | None
    valid_to: str | None


class FieldRowView(View):
    source: str = Field(description="certificate, question or catalog")
    owner: str = Field(description="certificate type code, question name or resource code")
    owner_name: str
    owner_name_en: str | None
    field: str
    label: str
    label_en: str | None
    data_class: str = Field(alias="class", description="class of the data vocabulary")
    class_name: str
    class_name_en: str
    personal: str = Field(description="none, personal or sensitive")
    grade: int
    mask: str = Field(description="the masking rule shown to a recipient not granted the field")
    example: str | None
    example_masked: str | None
    receivers: list[FieldReceiverView]


class FieldsView(View):
    fields: list[FieldRowView]


@router.get("/governance/fields")
def fields(
    session: SessionDep,
    _: Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN, Role.CIO))],
) -> FieldsView:
    """Every labelled field: ``source`` (certificate, question, catalog), ``owner`` (type code,
    question name, resource code), ``field``, ``class``, ``grade``, ``mask`` (the rule shown to
    a recipient whose grant does not name the field), ``example`` / ``example_masked``, and
    ``receivers``: the grants in force that name the field (who may receive it unmasked)."""
    rows = field_view(session, (masking_of, receivers_aspect(session)))
    return FieldsView.model_validate({"fields": rows})
