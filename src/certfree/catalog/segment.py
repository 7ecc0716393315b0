"""Chinese word segmentation for the catalog matcher: jieba, a stop list, and synonyms.

Text is cut with jieba's search mode (long words and the dictionary words inside them, so
"社会保险" also yields "社会" and "保险"). Every term of the synonym table (data/synonyms.csv)
is added to jieba's dictionary so that an abbreviation such as 社保 stays one word.

Segmentation is the slow part of indexing (jieba's dynamic programme is pure Python), so
results are memoised per fragment: text is split at punctuation and after a leading place name
(贵阳市、花溪区…), because catalogs repeat the same resource names across every city and
district. The memo is bounded and cleared when full.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

with warnings.catch_warnings():
    # jieba 0.42 imports pkg_resources when present, which newer setuptools deprecate.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", UserWarning)
    import jieba  # type: ignore[import-untyped]  # jieba ships no type hints

__all__ = ["STOP_WORDS", "segment", "synonym_groups", "synonyms_of", "terms"]

# Words nearly every catalog entry or demand contains; they say nothing about which resource
# is meant and would make every query walk most of the index.
_STOP_TEXT = """
的 了 和 与 及 或 等 其 各 该 为 对 在 是 由 按 从 以 于 将 并 中
上 下 年 月 日 数据 信息 资料 包括 包含 相关 有关 提供 描述 内容 情况
主要 以及 进行 需要 查询 获取 用于 办理 一个 这个 我们 单位 部门 列表 明细
一览表 汇总 统计 基本 基本信息 名单 名录 目录 表 清单 全市 本市 市级 全省
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_FRAGMENT = re.compile(r"[\w]+")
# A leading run of place names: two to six characters ending in 省/市/区/县 (贵阳市南明区).
_PLACE = re.compile(r"(?:[\u4e00-\u9fff]{2,6}?[省市区县])+")
_MEMO_LIMIT = 400_000  # fragments (about 100 MB when full)
_TEXT_MEMO_LIMIT = 100_000  # whole texts: providers and repeated names
_memo: dict[str, tuple[str, ...]] = {}
_text_memo: dict[str, tuple[str, ...]] = {}
_lock = threading.Lock()


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """The synonym table: groups of terms, the standard name first."""
    text = resources.files("certfree.catalog").joinpath("data/synonyms.csv").read_text("utf-8")
    groups = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            groups.append(tuple(t.strip() for t in line.split(",") if t.strip()))
    return tuple(groups)


@cache
def _synonym_map() -> Mapping[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for group in synonym_groups():
        for term in group:
            found.setdefault(term, []).extend(t for t in group if t != term)
    return {term: tuple(dict.fromkeys(others)) for term, others in found.items()}


def synonyms_of(term: str) -> tuple[str, ...]:
    """The other terms of every synonym group ``term`` belongs to (empty if none)."""
    return _synonym_map().get(term, ())


@cache
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for group in synonym_groups():
        for term in group:
            tokenizer.add_word(term, freq=20000)
    return tokenizer


def _cut(fragment: str) -> tuple[str, ...]:
    found = _memo.get(fragment)
    if found is None:
        words = _tokenizer().cut_for_search(fragment)
        found = tuple(w for w in words if len(w) > 1 and w not in STOP_WORDS)
        with _lock:
            if len(_memo) >= _MEMO_LIMIT:
                _memo.clear()
            _memo[fragment] = found
    return found


def segment(text: str) -> list[str]:
    """The index terms of ``text``: words of two or more characters, stop words left out."""
    found = _text_memo.get(text)
    if found is None:
        found = tuple(_segment(text))
        with _lock:
            if len(_text_memo) >= _TEXT_MEMO_LIMIT:
                _text_memo.clear()
            _text_memo[text] = found
    return list(found)


def _segment(text: str) -> list[str]:
    out: list[str] = []
    for fragment in _FRAGMENT.findall(text.replace("_", " ")):
        place = _PLACE.match(fragment)
        cut = place.end() if place and place.end() < len(fragment) else 0
        if cut:
            out.extend(_cut(fragment[:cut]))
        out.extend(_cut(fragment[cut:]))
    return out


def terms(texts: Iterable[str]) -> list[str]:
    """The terms of several texts, in order (a text that repeats an earlier one is skipped)."""
    seen: set[str] = set()
    out: list[str] = []
    for text in texts:
        if text and text not in seen:
            seen.add(text)
            out.extend(segment(text))
    return out
