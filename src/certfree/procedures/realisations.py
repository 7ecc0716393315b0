"""How the demo province meets a proof item's data-sharing and e-certificate ways.

The proof-item list says a proof "may be met by data sharing" or "by an e-certificate"; the
resolver also needs to know *which* question and *which* certificate types stand in for it.
``data/proof_realisations.csv`` says so for the demo list (``certfree/proofs/data``); a proof
with no row has no data-sharing or e-certificate route here. This mapping belongs with the
data resource catalog and the certificate library, and moves there once they hold it.

A service item's expected answer for a proof item (``expect``) is an answer of that question,
so a proof with no question here takes none (:func:`check_proof_expect`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from certfree.errors import InvalidInput
from certfree.questions import ParameterValue, check_evidence_expect, parse_parameters

__all__ = ["Realisation", "check_proof_expect", "realisation", "realisations"]


@dataclass(frozen=True, slots=True)
class Realisation:
    proof_code: str
    question: str | None
    parameters: dict[str, ParameterValue]
    certificate_types: tuple[str, ...]


@cache
def realisations() -> dict[str, Realisation]:
    """The realisations by proof code, from the packaged data file."""
    source = resources.files("certfree.procedures") / "data" / "proof_realisations.csv"
    rows = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"), newline=""))
    return {
        row["proof_code"]: Realisation(
            proof_code=row["proof_code"],
            question=row["question"] or None,
            parameters=parse_parameters(row["question"], row["parameters"])
            if row["question"]
            else {},
            certificate_types=tuple(t for t in row["certificate_types"].split(";") if t),
        )
        for row in rows
    }


def realisation(proof_code: str) -> Realisation:
    """The realisation of ``proof_code``; an empty one when the file has no row for it."""
    return realisations().get(proof_code) or Realisation(proof_code, None, {}, ())


def check_proof_expect(
    proof_code: str, expect: Mapping[str, Sequence[ParameterValue]]
) -> dict[str, list[ParameterValue]]:
    """``expect`` for proof ``proof_code``, checked against the question that stands in for it;
    InvalidInput (field ``expect``) when no question does or the answer does not fit."""
    if not expect:
        return {}
    question = realisation(proof_code).question
    if question is None:
        raise InvalidInput(
            f"证明事项 {proof_code} 没有可替代的数据共享问题，不能规定期望答复"
            "（no data-sharing question stands in for the proof, so it takes no expect）",
            field="expect",
        )
    return check_evidence_expect(question, expect)
