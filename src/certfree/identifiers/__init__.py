"""Chinese identifiers done right: parse, validate and generate.

- GB 11643-1999 resident ID numbers: :func:`parse_resident_id`, :func:`make_resident_id`
- GB 32100-2015 unified social credit codes (with the GB 11714 organisation code inside):
  :func:`parse_uscc`, :func:`make_uscc`
- GB/T 2260 division codes of all China since 1980, with the years each was in use:
  :func:`parse_division`, :func:`lookup_division`; Shandong's :func:`shandong_cities`,
  :func:`counties_of`, :func:`province`
- GB/T 36904-2018 electronic certificate identifiers: :func:`parse_cert_id`, :func:`make_cert_id`

Every parser returns a frozen value object or raises :class:`InvalidIdentifier` whose message
names the fault a person can fix ("check character should be 'X', got '5'"). The ``*_check_char``
and ``make_*`` functions are cheap enough to generate a million identifiers in seconds.
"""

from certfree.errors import InvalidIdentifier
from certfree.identifiers.cert_id import CERT_ID_ROOT, CertId, make_cert_id, parse_cert_id
from certfree.identifiers.checksums import (
    mod37_36_check_char,
    org_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)
from certfree.identifiers.divisions import (
    PROVINCES,
    Division,
    DivisionLevel,
    counties_of,
    lookup_division,
    parse_division,
    province,
    shandong_cities,
)
from certfree.identifiers.resident_id import (
    ResidentId,
    Sex,
    make_resident_id,
    parse_resident_id,
)
from certfree.identifiers.uscc import USCC, make_uscc, parse_uscc

__all__ = [
    "CERT_ID_ROOT",
    "PROVINCES",
    "USCC",
    "CertId",
    "Division",
    "DivisionLevel",
    "InvalidIdentifier",
    "ResidentId",
    "Sex",
    "counties_of",
    "lookup_division",
    "make_cert_id",
    "make_resident_id",
    "make_uscc",
    "mod37_36_check_char",
    "org_code_check_char",
    "parse_cert_id",
    "parse_division",
    "parse_resident_id",
    "parse_uscc",
    "province",
    "resident_id_check_char",
    "shandong_cities",
    "uscc_check_char",
]
