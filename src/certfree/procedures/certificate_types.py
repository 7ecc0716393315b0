"""The e-certificate types a service item may accept (each also in :mod:`certfree.certs`).

A type is named by its 21-character GB/T 36904 type code: the defining authority's USCC and a
3-digit sequence. ``data/certificate_types.csv`` lists the types the demo province uses. The
codes there are built from demo USCCs of the national ministries (made with ``make_uscc("1",
"1", "100000", …)``), not the codes of the national catalogue, which were not at hand. A type
code outside this file is still accepted when well-formed: the national base library has 516
types in Shandong alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from certfree.errors import InvalidIdentifier, InvalidInput
from certfree.identifiers import parse_uscc
from certfree.nodes import DepartmentKind
from certfree.procedures.vocab import SubjectKind

__all__ = [
    "CertificateType",
    "certificate_type",
    "certificate_types",
    "check_certificate_parameters",
    "check_type_code",
]

# A predicate a certificate type derives from a face field (年满60周岁 from the birth date), as
# ISO/IEC 18013-5 names them: age_over_NN. The certs package defines which a type has.
_PREDICATE = re.compile(r"age_over_\d{1,3}")


@dataclass(frozen=True, slots=True)
class CertificateType:
    type_code: str
    name: str
    department: DepartmentKind
    holder: SubjectKind


@cache
def certificate_types() -> dict[str, CertificateType]:
    """The known types by code, from the packaged data file."""
    source = resources.files("certfree.procedures") / "data" / "certificate_types.csv"
    rows = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"), newline=""))
    return {
        row["type_code"]: CertificateType(
            type_code=row["type_code"],
            name=row["name"],
            department=DepartmentKind(row["department"]),
            holder=SubjectKind(row["holder"]),
        )
        for row in rows
    }


def certificate_type(type_code: str) -> CertificateType | None:
    return certificate_types().get(type_code)


def check_type_code(type_code: str) -> str:
    """``type_code`` if it is a well-formed GB/T 36904 type code; InvalidInput naming the fault."""
    if len(type_code) != 21 or not type_code[18:].isdigit():
        raise InvalidInput(
            f"电子证照类型代码应为 21 位（制定机关统一社会信用代码 18 位 + 顺序号 3 位），"
            f"收到「{type_code}」",
            field="ref",
        )
    try:
        parse_uscc(type_code[:18])
    except InvalidIdentifier as exc:
        raise InvalidInput(
            f"电子证照类型代码 {type_code} 中制定机关的统一社会信用代码有误：{exc.message}",
            field="ref",
        ) from None
    return type_code


def check_certificate_parameters(parameters: Mapping[str, object]) -> None:
    """A certificate evidence may name one ``predicate`` to disclose; InvalidInput otherwise."""
    for key, value in parameters.items():
        if key != "predicate":
            raise InvalidInput(
                f"电子证照只可带参数 predicate（出示的谓词，如 age_over_60），收到 {key}",
                field="parameters",
            )
        if not isinstance(value, str) or not _PREDICATE.fullmatch(value):
            raise InvalidInput(
                f"电子证照的 predicate 应如 age_over_60，收到「{value}」", field="parameters"
            )
