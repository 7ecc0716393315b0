"""GB 32100-2015 统一社会信用代码 (unified social credit code, USCC) of legal persons and other
organisations, with the GB 11714 organisation code it embeds."""

from __future__ import annotations

from dataclasses import dataclass

from certfree.errors import InvalidIdentifier
from certfree.identifiers.checksums import (
    USCC_ALPHABET,
    org_code_check_char,
    uscc_check_char,
)
from certfree.identifiers.divisions import PROVINCES, lookup_division

__all__ = ["AUTHORITIES", "ENTITY_TYPES", "NATIONAL_DIVISION", "USCC", "make_uscc", "parse_uscc"]

# GB 32100-2015 Table 1 (with Amendment No. 1, which added A and N): registration-authority code
# (position 1) → name, and for each authority its entity-type codes (position 2) → name.
AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
ENTITY_TYPES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {
        "1": "外国旅游部门常驻代表机构",
        "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
        "9": "其他",
    },
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    # Table 1: "其他" authorities do not subdivide entity types; the code is always 1.
    "Y": {"1": "其他"},
}

# Central-level registration authorities write 100000, the national code, in positions 3-8
# (e.g. 11100000000013338W, the defining authority of most published certificate type codes).
NATIONAL_DIVISION = "100000"

_ALPHABET_SET = frozenset(USCC_ALPHABET)


@dataclass(frozen=True, slots=True)
class USCC:
    """A valid 18-character unified social credit code and its parts.

    ``org_code`` is the 9-character GB 11714 organisation code (positions 9-17, its own check
    character last); ``division_code`` the GB/T 2260 code of the registering authority.
    """

    code: str
    authority_code: str
    authority_name: str
    entity_type_code: str
    entity_type_name: str
    division_code: str
    org_code: str
    check_char: str

    @property
    def province_name(self) -> str | None:
        """The province of the registering authority; None for a central-level one (100000)."""
        return PROVINCES.get(self.division_code[:2])

    def __str__(self) -> str:
        return self.code


def parse_uscc(s: str) -> USCC:
    """Parses and validates a GB 32100-2015 unified social credit code.

    Surrounding spaces are stripped and letters upper-cased. Checked in this order, the first
    fault raising InvalidIdentifier with a message naming it: 18 characters of the 31-symbol
    alphabet (no I, O, S, V, Z); the MOD 31 check character (position 18); the authority code
    and the entity-type code under it (Table 1); positions 3-8 six digits starting with a real
    province code and in the GB/T 2260 table (current or retired: a code keeps the division code
    it was given), or 100000 for a central-level authority; the GB 11714 check character of the
    organisation code (position 17).
    """
    code = s.strip().upper()
    if len(code) != 18:
        raise InvalidIdentifier(f"a USCC has 18 characters, got {len(code)}")
    for position, ch in enumerate(code, start=1):
        if ch not in _ALPHABET_SET:
            rule = (
                "no I, O, S, V, Z"
                if ch in "IOSVZ"
                else "only digits and capital letters other than I, O, S, V, Z"
            )
            raise InvalidIdentifier(
                f"character {ch!r} at position {position} is not allowed in a USCC ({rule})"
            )
    # GB 32100 §4.3: MOD 31 check character over positions 1-17.
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier(f"check character should be {expected!r}, got {code[17]!r}")
    authority, entity_type = code[0], code[1]
    authority_name, entity_type_name = _authority_and_type(authority, entity_type)
    division = code[2:8]
    if not division.isdigit():
        raise InvalidIdentifier(
            f"positions 3-8 must be the 6-digit GB/T 2260 code of the registering authority, "
            f"got {division!r}"
        )
    _check_division(division)
    # GB 32100 §4.2 d): positions 9-17 are the GB 11714 organisation code with its own check.
    org_expected = org_code_check_char(code[8:16])
    if code[16] != org_expected:
        raise InvalidIdentifier(
            f"organisation code {code[8:16]}-{code[16]} (positions 9-17): GB 11714 check "
            f"character should be {org_expected!r}, got {code[16]!r}"
        )
    return USCC(
        code=code,
        authority_code=authority,
        authority_name=authority_name,
        entity_type_code=entity_type,
        entity_type_name=entity_type_name,
        division_code=division,
        org_code=code[8:17],
        check_char=code[17],
    )


def _check_division(division: str) -> None:
    # GB 32100 §4.2 c): positions 3-8 are the GB/T 2260 code of the registration administration's
    # division (any level), or 100000 for a central-level one.
    if division == NATIONAL_DIVISION:
        return
    if division[:2] not in PROVINCES:
        raise InvalidIdentifier(
            f"division code {division} (positions 3-8) does not start with a GB/T 2260 "
            f"province code ({division[:2]} is not a province)"
        )
    if lookup_division(division) is None:
        raise InvalidIdentifier(
            f"division code {division} (positions 3-8) is not a division code of "
            f"{PROVINCES[division[:2]]} in GB/T 2260 (current or historical)"
        )


def _authority_and_type(authority: str, entity_type: str) -> tuple[str, str]:
    authority_name = AUTHORITIES.get(authority)
    if authority_name is None:
        allowed = ", ".join(AUTHORITIES)
        raise InvalidIdentifier(
            f"registration-authority code {authority!r} (position 1) is not in GB 32100 "
            f"Table 1 (allowed: {allowed})"
        )
    types = ENTITY_TYPES[authority]
    entity_type_name = types.get(entity_type)
    if entity_type_name is None:
        allowed = ", ".join(f"{k} {v}" for k, v in types.items())
        raise InvalidIdentifier(
            f"entity-type code {entity_type!r} (position 2) is not defined for "
            f"registration authority {authority!r} {authority_name} (allowed: {allowed})"
        )
    return authority_name, entity_type_name


def make_uscc(authority: str, entity_type: str, division_code: str, org_body8: str) -> str:
    """Builds a USCC from its parts, computing the GB 11714 and the MOD 31 check characters.

    ``org_body8`` is the 8-character organisation code body (USCC symbols). Cheap enough for
    bulk generation; raises InvalidIdentifier for an authority/type pair outside Table 1, a
    division code that is not 6 digits in the GB/T 2260 table (or 100000), or a bad body.
    """
    _authority_and_type(authority, entity_type)
    if not (len(division_code) == 6 and division_code.isascii() and division_code.isdigit()):
        raise InvalidIdentifier(f"division code must be 6 digits, got {division_code!r}")
    _check_division(division_code)
    if len(org_body8) != 8 or not _ALPHABET_SET.issuperset(org_body8):
        raise InvalidIdentifier(
            f"organisation code body must be 8 USCC symbols (no I, O, S, V, Z), got {org_body8!r}"
        )
    first17 = authority + entity_type + division_code + org_body8 + org_code_check_char(org_body8)
    return first17 + uscc_check_char(first17)
