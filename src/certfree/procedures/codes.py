"""Service-item codes (政务服务事项编码) and the level of government they imply.

GB/T 39554.1-2020 (全国一体化政务服务平台 政务服务事项基本目录及实施清单 第1部分：编码要求)
builds an implementation code (实施编码) from the basic code (基本编码) followed by the
12-digit division code of the implementing place (政务服务用区划代码: GB/T 2260 six digits plus
township and village), the implementing organ's code and suffixes, joined by hyphens::

    511A0138000000-511602000000-000-115113010833722043-1-00

The text of the standard was not at hand; the shape checked here — hyphen-separated runs of
letters and digits, at most 64 characters — is what all 1,135 codes of a published county list
share (``tests/unit/procedures/test_importing.py``), and the division is the first 12-digit run.
"""

from __future__ import annotations

import re

from certfree.procedures.errors import InvalidServiceItem
from certfree.procedures.vocab import ServiceLevel

__all__ = ["CODE_MAX_LENGTH", "check_code", "division_in_code", "level_of_division"]

CODE_MAX_LENGTH = 64
_CODE = re.compile(r"[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*")
_DIVISION = re.compile(r"\d{6}(?:\d{6})?")


def check_code(code: str) -> str:
    """``code`` stripped, if it has the shape of a service-item code; InvalidServiceItem if not."""
    code = code.strip()
    if not code:
        raise InvalidServiceItem("事项编码不能为空", field="code")
    if len(code) > CODE_MAX_LENGTH:
        raise InvalidServiceItem(
            f"事项编码最长 {CODE_MAX_LENGTH} 个字符，收到 {len(code)} 个", field="code"
        )
    if not _CODE.fullmatch(code):
        raise InvalidServiceItem(
            f"事项编码只能由字母、数字和连字符“-”组成（如 "
            f"511A0138000000-511602000000-000-115113010833722043-1-00），收到「{code}」",
            field="code",
        )
    return code


def division_in_code(code: str) -> str | None:
    """The 12-digit implementing division inside an implementation code, if there is one."""
    return next((part for part in code.split("-") if len(part) == 12 and part.isdigit()), None)


def level_of_division(division: str) -> ServiceLevel:
    """Province, city or county from a 6- or 12-digit division code (GB/T 2260 positions).

    Raises InvalidServiceItem for anything but 6 or 12 digits.
    """
    if not _DIVISION.fullmatch(division):
        raise InvalidServiceItem(
            f"行政区划代码应为 6 位或 12 位数字，收到「{division}」", field="division_code"
        )
    if division[2:6] == "0000":
        return ServiceLevel.PROVINCE
    if division[4:6] == "00":
        return ServiceLevel.CITY
    return ServiceLevel.COUNTY
