"""Shandong number-plate prefixes (GA 36 发牌机关代号): 鲁 plus one letter per city."""

from __future__ import annotations

from certfree.errors import InvalidInput

__all__ = ["PLATE_LETTERS", "plate_prefix"]

# GA 36-2018 issuing-authority letters of the 16 cities (the first letter each city was given;
# some have a second, e.g. 济南 S from the former 莱芜, 青岛 U, 烟台 Y).
PLATE_LETTERS: dict[str, str] = {
    "370100": "A",  # 济南
    "370200": "B",  # 青岛
    "370300": "C",  # 淄博
    "370400": "D",  # 枣庄
    "370500": "E",  # 东营
    "370600": "F",  # 烟台
    "370700": "G",  # 潍坊
    "370800": "H",  # 济宁
    "370900": "J",  # 泰安
    "371000": "K",  # 威海
    "371100": "L",  # 日照
    "371300": "Q",  # 临沂
    "371400": "N",  # 德州
    "371500": "P",  # 聊城
    "371600": "M",  # 滨州
    "371700": "R",  # 菏泽
}


def plate_prefix(division_code: str) -> str:
    """The plate prefix (鲁A …) of the city containing GB/T 2260 ``division_code``.

    Raises InvalidInput for a code outside Shandong's 16 cities.
    """
    letter = PLATE_LETTERS.get(division_code[:4] + "00")
    if letter is None:
        raise InvalidInput(f"{division_code} 不属于山东省 16 个设区市", field="division_code")
    return f"鲁{letter}"
