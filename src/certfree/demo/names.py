"""Fictional Chinese names: a common surname and one or two given-name characters.

Only surnames and single characters are listed — no real person's name — so every generated
name is a random combination. Surname weights approximate their frequency in Shandong
(per mille, rounded); the tail of rarer surnames shares the rest evenly.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

__all__ = ["NameMaker"]

_COMMON_SURNAMES = (
    ("王", 90), ("张", 85), ("李", 80), ("刘", 70), ("孙", 30), ("杨", 28), ("陈", 27),
    ("赵", 26), ("徐", 22), ("马", 20), ("高", 20), ("于", 19), ("孔", 8), ("周", 17),
    ("郭", 16), ("吴", 15), ("宋", 15), ("朱", 14), ("胡", 12), ("韩", 12), ("田", 11),
    ("崔", 11), ("曹", 10), ("董", 10), ("杜", 9), ("许", 9), ("吕", 9), ("姜", 9),
    ("袁", 8), ("梁", 8), ("任", 8), ("程", 8), ("邢", 7), ("魏", 7), ("苏", 7),
    ("贾", 7), ("丁", 7), ("薛", 6), ("石", 6), ("侯", 6), ("秦", 6), ("郑", 6),
)  # fmt: skip
_RARE_SURNAMES = (
    "林何罗梅谢黄冯蒋沈彭卢范史萧潘邓颜乔曲葛戴牛毛段雷汪尹武付申陶宫鲁庞逯单"
    "仲尚房安钱常苗白翟阎夏邵谷滕隋齐孟"
)
_RARE_WEIGHT = 3

_MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳博文志建国峰海东成晨"
    "亮栋泽轩睿昊铭宏振兴德庆福胜利民永春"
)
_FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞燕玲婷雪慧莹倩颖琳晶洁欣悦怡琪蕾萍红梅兰英桂秀凤玉佳雨涵诗梦思晓璐瑶琴丹彤菲"
)
_NEUTRAL_CHARS = "子一小文新春秋晓月清嘉安"


class NameMaker:
    """Draws surnames and given names from a seeded ``random.Random``.

    The same ``rng`` state always yields the same names; draws use ``rng.random()`` only, which
    is what keeps a million names fast.
    """

    def __init__(self, rng: random.Random) -> None:
        self._random = rng.random
        surnames = [s for s, _ in _COMMON_SURNAMES] + list(_RARE_SURNAMES)
        weights = [w for _, w in _COMMON_SURNAMES] + [_RARE_WEIGHT] * len(_RARE_SURNAMES)
        self._surnames = surnames
        self._cumulative = list(accumulate(weights))
        self._total = self._cumulative[-1]
        self._male = _MALE_CHARS + _NEUTRAL_CHARS
        self._female = _FEMALE_CHARS + _NEUTRAL_CHARS

    def surname(self) -> str:
        """A surname, weighted by frequency."""
        return self._surnames[bisect(self._cumulative, self._random() * self._total)]

    def given(self, male: bool) -> str:
        """One given-name character (one name in five) or two."""
        chars = self._male if male else self._female
        n = len(chars)
        r = self._random
        first = chars[int(r() * n)]
        if r() < 0.2:
            return first
        return first + chars[int(r() * n)]
