"""Fictional Chinese names: a common surname and one or two given-name characters.

Only surnames and single characters are listed — no real person's name — so every generated
name is a random combination. Surname weights approximate their frequency in Shandong
(per mille, rounded); the tail of rarer surnames shares the rest evenly.
"""

from __future__ import annotations

import random

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

    The same ``rng`` state always yields the same names. Each draw is one ``rng.random()``
    indexing a precomputed pool (a surname repeated as often as its weight; every one- and
    two-character given name, the one-character ones repeated so that they make a fifth), which
    is what keeps a million names fast.
    """

    def __init__(self, rng: random.Random) -> None:
        self._random = rng.random
        self._surnames = [s for s, w in _COMMON_SURNAMES for _ in range(w)]
        self._surnames += [s for s in _RARE_SURNAMES for _ in range(_RARE_WEIGHT)]
        self._male = _given_pool(_MALE_CHARS + _NEUTRAL_CHARS)
        self._female = _given_pool(_FEMALE_CHARS + _NEUTRAL_CHARS)

    def surname(self) -> str:
        """A one-character surname, weighted by frequency."""
        pool = self._surnames
        return pool[int(self._random() * len(pool))]

    def given(self, male: bool) -> str:
        """A given name of one character (one name in five) or two."""
        pool = self._male if male else self._female
        return pool[int(self._random() * len(pool))]


def _given_pool(chars: str) -> list[str]:
    pairs = [a + b for a in chars for b in chars]
    singles = list(chars) * round(len(pairs) / 4 / len(chars))  # 1 : 4 against the pairs
    return singles + pairs
