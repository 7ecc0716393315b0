"""Who applies: a citizen by GB 11643 ID number or an organisation by GB 32100 USCC."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from certfree.errors import InvalidIdentifier, InvalidInput
from certfree.identifiers import parse_resident_id, parse_uscc
from certfree.procedures.vocab import PartyRole, SubjectKind

__all__ = ["Subject", "parse_parties", "parse_subject"]


@dataclass(frozen=True, slots=True)
class Subject:
    kind: SubjectKind
    identifier: str


def parse_subject(text: str, *, field: str = "applicant", who: str = "申请人") -> Subject:
    """The applicant named by ``text``; InvalidInput saying why neither identifier fits.

    Both identifiers have 18 characters: an ID number is tried first, then a USCC.
    """
    text = text.strip().upper()
    try:
        return Subject(SubjectKind.PERSON, parse_resident_id(text).number)
    except InvalidIdentifier as as_person:
        try:
            return Subject(SubjectKind.ORGANISATION, parse_uscc(text).code)
        except InvalidIdentifier as as_firm:
            raise InvalidInput(
                f"{who}应为公民身份号码或统一社会信用代码：作为身份证号，{as_person.message}；"
                f"作为统一社会信用代码，{as_firm.message}",
                field=field,
            ) from None


def parse_parties(applicant: Subject, parties: Mapping[str, str]) -> dict[PartyRole, Subject]:
    """Every party by role, the applicant included; InvalidInput (field ``parties`` or
    ``parties.<role>``) for an unknown role or a malformed identifier."""
    found = {PartyRole.APPLICANT: applicant}
    for role, identifier in parties.items():
        try:
            party = PartyRole(role.strip())
        except ValueError:
            party = None
        if party is None or party is PartyRole.APPLICANT:
            known = "、".join(
                f"{p.value}（{p.label_zh}）" for p in PartyRole if p.value != "applicant"
            )
            raise InvalidInput(
                f"当事人角色「{role}」应为 {known} 之一（party role must be one of "
                f"{', '.join(p.value for p in PartyRole if p.value != 'applicant')}）",
                field="parties",
            )
        found[party] = parse_subject(identifier, field=f"parties.{party.value}", who=party.label_zh)
    return found
