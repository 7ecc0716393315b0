"""Who applies: a citizen by GB 11643 ID number or an organisation by GB 32100 USCC."""

from __future__ import annotations

from dataclasses import dataclass

from certfree.errors import InvalidIdentifier, InvalidInput
from certfree.identifiers import parse_resident_id, parse_uscc
from certfree.procedures.vocab import SubjectKind

__all__ = ["Subject", "parse_subject"]


@dataclass(frozen=True, slots=True)
class Subject:
    kind: SubjectKind
    identifier: str


def parse_subject(text: str) -> Subject:
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
                f"申请人应为公民身份号码或统一社会信用代码：作为身份证号，{as_person.message}；"
                f"作为统一社会信用代码，{as_firm.message}",
                field="applicant",
            ) from None
