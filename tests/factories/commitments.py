"""Proof items, applicants and signed commitments for the commitments tests.

Proof items are added through the proofs domain's public functions, as a bureau admin would.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from sqlalchemy.orm import Session

from certfree import commitments
from certfree.crypto import KeyStore
from certfree.nodes import DepartmentKind
from certfree.proofs import (
    BasisDraft,
    BasisLevel,
    ExcludedArea,
    ItemDraft,
    ProofItemView,
    Way,
    add_item,
)
from factories.population import resident_id

_codes = itertools.count(1)

CIVIL_CODE = BasisDraft(
    document_title="中华人民共和国民法典", level=BasisLevel.LAW, article="第一千零四十九条"
)


def proof_item(
    session: Session,
    *,
    name: str = "无犯罪记录证明",
    fact: str = "申请人无犯罪记录",
    ways: Sequence[Way] = (Way.DATA_SHARING, Way.COMMITMENT, Way.PAPER),
    excluded_area: ExcludedArea | None = None,
    code: str | None = None,
    department: DepartmentKind = DepartmentKind.GA,
) -> ProofItemView:
    """A proof item of ``department`` with a sufficient legal basis, met by commitment unless
    ``ways`` says not."""
    draft = ItemDraft(
        code=code or f"T-{next(_codes):04d}",
        name=name,
        fact=fact,
        issuing_department=f"{department.name_zh}部门",
        department_kind=department,
        ways=ways,
        excluded_area=excluded_area,
        bases=(CIVIL_CODE,),
    )
    return add_item(session, draft, "test-admin", "测试数据")


def applicant() -> str:
    """A fresh, valid GB 11643 resident ID number."""
    return resident_id()


def signed(
    session: Session,
    keys: KeyStore,
    proof_code: str,
    *,
    applicant_id: str | None = None,
    service_code: str | None = None,
    now: dt.datetime | None = None,
) -> commitments.Commitment:
    """A commitment signed over the current Chinese form."""
    form = commitments.commitment_form(session, proof_code, service_code)
    return commitments.sign_commitment(
        session,
        keys,
        applicant_id=applicant_id or applicant(),
        proof_code=proof_code,
        service_code=service_code,
        text_hash=form.text_hash,
        now=now,
    )


def submitted(
    session: Session,
    keys: KeyStore,
    proof_code: str,
    *,
    applicant_id: str | None = None,
    service_code: str | None = None,
    now: dt.datetime | None = None,
) -> commitments.Commitment:
    """A commitment signed and submitted."""
    row = signed(
        session, keys, proof_code, applicant_id=applicant_id, service_code=service_code, now=now
    )
    return commitments.submit_commitment(session, row.id, now=now)
