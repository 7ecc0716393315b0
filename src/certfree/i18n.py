"""User-facing text in Simplified Chinese (the default) and English, for every surface.

Each surface (web pages, the command line) keeps its text as data: a JSON file beside its
code mapping a message id to ``{"zh-CN": …, "en": …}``, loaded into a :class:`Catalog`. A
surface picks the language its own way (``?lang=`` and a cookie for pages, ``--lang`` for
the CLI); the environment's choice is :func:`language_from_env` for both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from importlib.resources import files
from typing import Any

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Catalog",
    "Language",
    "has_cjk",
    "language_from_env",
]


class Language(StrEnum):
    """A language user-facing text is given in (BCP 47 tags)."""

    ZH_CN = "zh-CN"
    EN = "en"


LANGUAGES: tuple[str, ...] = tuple(lang.value for lang in Language)
DEFAULT_LANGUAGE = Language.ZH_CN

# CJK Unified Ideographs (and extension A), CJK punctuation and full-width forms.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese character or CJK punctuation."""
    return _CJK.search(text) is not None


def language_from_env(environ: Mapping[str, str]) -> Language:
    """``CERTFREE_LANG`` if it names a language; else English when the POSIX locale
    (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``: the first one set) is English;
    else Simplified Chinese."""
    chosen = environ.get("CERTFREE_LANG", "")
    if chosen in LANGUAGES:
        return Language(chosen)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        locale = environ.get(name)
        if locale:
            return Language.EN if locale.lower().startswith("en") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


class Catalog:
    """Messages by id, each in every language; ``{name}`` fields are filled by :meth:`text`."""

    def __init__(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        for key, entry in entries.items():
            missing = [lang for lang in LANGUAGES if lang not in entry]
            if missing:
                raise ValueError(f"message {key!r} has no {', '.join(missing)} text")
        self._entries = {key: dict(entry) for key, entry in entries.items()}

    @classmethod
    def load(cls, package: str, name: str) -> Catalog:
        """The catalog in the JSON file ``name`` of ``package`` (shipped as package data)."""
        return cls(json.loads(files(package).joinpath(name).read_text(encoding="utf-8")))

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def ids(self) -> list[str]:
        """Every message id, in the order of the file."""
        return list(self._entries)

    def entry(self, key: str, lang: str) -> Any:
        """The raw text (a string, or a list of strings such as table headings)."""
        return self._entries[key][lang if lang in LANGUAGES else DEFAULT_LANGUAGE]

    def text(self, key: str, lang: str, **fields: object) -> str:
        """Message ``key`` in ``lang``, its ``{name}`` fields filled from ``fields``."""
        template = self.entry(key, lang)
        if not isinstance(template, str):
            raise TypeError(f"message {key!r} is not a single text")
        return template.format(**fields) if fields else template

    def texts(self, key: str, lang: str) -> list[str]:
        """Message ``key`` in ``lang`` when it is a list (table headings)."""
        found = self.entry(key, lang)
        if not isinstance(found, list):
            raise TypeError(f"message {key!r} is not a list of texts")
        return [str(item) for item in found]

    def by_language(self) -> dict[str, dict[str, str]]:
        """``{lang: {key: text}}``: what page templates read as ``t``."""
        return {
            lang: {key: entry[lang] for key, entry in self._entries.items()} for lang in LANGUAGES
        }
