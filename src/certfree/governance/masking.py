"""Named masking rules (数据脱敏规则): how a value is shown to whoever is not granted it whole.

Each data class of the vocabulary (``data/classes.json``) names one rule in its ``mask`` key.
The rules follow the practice of GB/T 35273-2020 §3.14 and Annex A (去标识化: hide the part of
a value that identifies, keep what the reader needs to recognise it) and the usual display of
Chinese government sites; no kept Python library does Chinese names, addresses and GB 11643
numbers this way, so they are written once here, and once more in ``web/static/page.js``, both
checked against ``tests/vectors/masking.json``.

Counting is by code point (a CJK Extension B character is one character). Every rule leaves
``None`` and ``""`` as they are (nothing to hide); ``none`` returns any value unchanged; the
others show a boolean, list or object as ``***`` and a number by its decimal text.

=========  ==================================================  ==============================
rule       what stays                                          example
=========  ==================================================  ==============================
none       everything                                          济南市
name       the surname (compound surnames whole) and one ``*``  王建国 → 王*
middle     2 characters at each end                            鲁A12345 → 鲁A***45
year       the year of a date, every other digit ``*``          1990-05-17 → 1990-**-**
phone      first 3 and last 4 digits (proportionally fewer)    13812345678 → 138****5678
address    up to the first district-level unit, then ``****``  …历下区泉城路1号 → …历下区****
id_number  first 4 and last 4 of 18 (proportionally fewer)     3701…0029 → 3701**********0029
tail       the last 4 (half of a shorter value)                6222…0123 → ***************0123
hidden     nothing: ``***``                                    已婚 → ***
=========  ==================================================  ==============================
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Collection
from typing import Any

from certfree.classification import IMPORTANT_GRADE, DataClass, class_of

__all__ = [
    "COMPOUND_SURNAMES",
    "HIDDEN",
    "MaskRule",
    "disclose",
    "mask_in_text",
    "mask_text",
    "mask_value",
    "rule_for",
]

HIDDEN = "***"


class MaskRule(enum.StrEnum):
    NONE = "none"
    NAME = "name"
    MIDDLE = "middle"
    YEAR = "year"
    PHONE = "phone"
    ADDRESS = "address"
    ID_NUMBER = "id_number"
    TAIL = "tail"
    HIDDEN = "hidden"


# 复姓: the two-character surnames of the 百家姓 (less the pairs that are two single surnames,
# and 单于, rarer than the single surname 单) and 即墨; a name that starts
# with one keeps both characters (欧阳娜娜 → 欧阳*), unless the name has only two characters
# (欧阳 is then 欧 + 阳).
_SURNAME_PAIRS = (
    "欧阳太史端木上官司马东方独孤南宫万俟闻人夏侯诸葛尉迟公羊赫连澹台皇甫宗政濮阳公冶"
    "太叔申屠公孙慕容仲孙钟离长孙宇文司徒鲜于司空闾丘子车亓官司寇巫马公西颛孙壤驷公良"
    "漆雕乐正宰父谷梁拓跋夹谷轩辕令狐段干百里呼延东郭南门羊舌微生梁丘左丘东门西门第五"
    "淳于即墨"
)
COMPOUND_SURNAMES = frozenset(_SURNAME_PAIRS[i : i + 2] for i in range(0, len(_SURNAME_PAIRS), 2))

# GB/T 2260 names: a province-level unit, a prefecture-level unit, a county-level unit.
# Segments hold no digit and no word of a street address (路 街 号 …), so that 幸福小区 or
# 开发区大道 is not taken for a district.
_DIGITS = frozenset("0123456789０１２３４５６７８９")
_SEGMENT = r"[^0-9０-９路街道巷弄号楼栋室村镇乡组\s,，]"
_ABOVE_COUNTY = r"[^0-9０-９路街道巷弄号楼栋室村镇乡组区县旗\s,，]"
_PROVINCE = re.compile(
    rf"^(?:(?:北京|天津|上海|重庆)市?|{_ABOVE_COUNTY}{{1,7}}?(?:省|自治区|特别行政区))"
)
_CITY = re.compile(rf"^{_ABOVE_COUNTY}{{1,9}}?(?:自治州|地区|盟|市)")
_COUNTY = re.compile(rf"^{_SEGMENT}{{1,9}}?(?:自治县|自治旗|林区|特区|区|县|旗|市)")
_MUNICIPALITY = re.compile(r"^(?:北京|天津|上海|重庆)")
_MOBILE_PREFIX = re.compile(r"^(?:\+|00)?86[\s-]?(?=1[0-9]{10}$)")
_YEAR = re.compile(r"^(?:[0-9]{4}(?![0-9])|[0-9]{8}$)")


def _stars(kept_start: str, hidden: int, kept_end: str) -> str:
    return kept_start + "*" * hidden + kept_end


def _keep_ends(text: str, start: int, end: int) -> str:
    chars = list(text)
    if start + end >= len(chars):
        return "*" * len(chars)
    return _stars(
        "".join(chars[:start]), len(chars) - start - end, "".join(chars[len(chars) - end :])
    )


def _id_number(text: str) -> str:
    # GB 11643-1999: an 18-character number keeps its first 4 (province and city of the
    # issuing region) and last 4 (sequence and check character); a 15-digit number of the
    # 1984 scheme, or any other length, keeps 2/9 of its length at each end.
    keep = len(text) * 2 // 9
    return _keep_ends(text, keep, keep)


def _middle(text: str) -> str:
    return _keep_ends(text, 2, 2)


def _tail(text: str) -> str:
    length = len(text)
    return _keep_ends(text, 0, 4 if length >= 8 else length // 2)


def _phone(text: str) -> str:
    prefix = _MOBILE_PREFIX.match(text)
    head = prefix.group(0) if prefix else ""
    body = text[len(head) :]
    digits = sum(ch in _DIGITS for ch in body)
    if digits == 0:
        return HIDDEN
    # A mainland mobile number (11 digits) shows its network prefix and its last 4 digits; a
    # shorter number shows proportionally fewer of both.
    first, last = (3, 4) if digits >= 11 else (digits * 3 // 11, digits * 4 // 11)
    out, seen = [], 0
    for ch in body:
        if ch in _DIGITS:
            seen += 1
            out.append(ch if seen <= first or seen > digits - last else "*")
        else:
            out.append(ch)
    return head + "".join(out)


def _address(text: str) -> str:
    kept = ""
    rest = text.strip()
    province = _PROVINCE.match(rest)
    if province:
        kept, rest = province.group(0), rest[province.end() :]
        # A municipality (直辖市) has districts straight under it.
        city = None if _MUNICIPALITY.match(kept) else _CITY.match(rest)
        if city:
            kept, rest = kept + city.group(0), rest[city.end() :]
    else:
        city = _CITY.match(rest)
        if city:
            kept, rest = city.group(0), rest[city.end() :]
    county = _COUNTY.match(rest) if kept else None
    if county:
        kept, rest = kept + county.group(0), rest[county.end() :]
    if not rest:
        return kept
    return kept + "****"


def _name(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        return ""
    chars = list(cleaned)
    surname = "".join(chars[:2])
    if len(chars) > 2 and surname in COMPOUND_SURNAMES:
        return surname + "*"
    # One * whatever the length: the mask tells nothing of the given name. Names in Latin
    # script or with an interpunct (阿依古丽·买买提) keep their first character the same way.
    return chars[0] + "*"


def _year(text: str) -> str:
    if not _YEAR.match(text):
        return HIDDEN
    return text[:4] + "".join("*" if ch in _DIGITS else ch for ch in text[4:])


# GB 11643-1999 §4: 6-digit region, 8-digit (1984 scheme: 6-digit) birth date, 3-digit
# sequence, check character. A number of that shape is masked even when its check character
# is wrong: a mistyped ID number is still someone's. Mobile numbers: 11 digits from 13 to 19.
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_IN_TEXT = re.compile(
    rf"(?<![0-9A-Za-z])(?:(?P<id>[1-9][0-9]{{5}}(?:(?:18|19|20)[0-9]{{2}}{_DATE}[0-9]{{3}}[0-9Xx]"
    rf"|[0-9]{{2}}{_DATE}[0-9]{{3}}))|(?P<phone>1[3-9][0-9]{{9}}))(?![0-9A-Za-z])"
)


def _masked_in_text(found: re.Match[str]) -> str:
    rule = MaskRule.ID_NUMBER if found.group("id") else MaskRule.PHONE
    return _RULES[rule](found.group(0))


def mask_in_text(text: str) -> str:
    """``text`` (a log line, a reason quoting a cell) with every resident ID number and
    mainland mobile number in it masked by its rule: free text has no field to name."""
    if len(text) < 11:
        return text
    return _IN_TEXT.sub(_masked_in_text, text)


_RULES: dict[MaskRule, Callable[[str], str]] = {
    MaskRule.NAME: _name,
    MaskRule.MIDDLE: _middle,
    MaskRule.YEAR: _year,
    MaskRule.PHONE: _phone,
    MaskRule.ADDRESS: _address,
    MaskRule.ID_NUMBER: _id_number,
    MaskRule.TAIL: _tail,
    MaskRule.HIDDEN: lambda _text: HIDDEN,
}


def mask_text(rule: MaskRule | str, text: str) -> str:
    """``text`` masked by ``rule`` (``""`` stays ``""``); ValueError for an unknown rule."""
    named = MaskRule(rule)
    if named is MaskRule.NONE or text == "":
        return text
    return _RULES[named](text)


def mask_value(rule: MaskRule | str, value: Any) -> Any:
    """``value`` as shown to someone not granted it: masked text for a string or a number,
    ``***`` for a boolean, list or object, ``None`` as ``None``; unchanged under ``none``."""
    named = MaskRule(rule)
    if named is MaskRule.NONE or value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return HIDDEN
    return mask_text(named, value if isinstance(value, str) else str(value))


def rule_for(kind: DataClass | str, grade: int | None = None) -> MaskRule:
    """The rule a field of class ``kind`` (a class or its code) graded ``grade`` is masked by:
    the class's own, and ``hidden`` for important or core data whatever the class (数据安全法
    第21条: important data is protected more strictly; GB/T 43697-2024 §4 就高从严)."""
    named = kind if isinstance(kind, DataClass) else class_of(kind)
    if max(grade or 0, named.grade) >= IMPORTANT_GRADE:
        return MaskRule.HIDDEN
    return MaskRule(named.mask)


def disclose(
    value: Any,
    kind: DataClass | str,
    *,
    field: str,
    granted: Collection[str],
    grade: int | None = None,
) -> Any:
    """``value`` of ``field`` as its recipient may see it: whole where ``granted`` (the fields
    the recipient's grant or role names) holds ``field``, masked by :func:`rule_for` otherwise
    (个人信息保护法 第6条 最小必要; 第51条 去标识化)."""
    if field in granted:
        return value
    return mask_value(rule_for(kind, grade), value)
