"""Every surface's text is complete in both languages (certfree.i18n catalogs)."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from certfree.i18n import LANGUAGES, Catalog

_FIELDS = re.compile(r"\{(\w*)[^}]*\}")
_PAGES = sorted(p.name for p in files("certfree.web").joinpath("messages").iterdir())


@pytest.mark.parametrize("name", _PAGES)
def test_every_page_message_is_in_both_languages(name: str) -> None:
    catalog = Catalog.load("certfree.web", f"messages/{name}")
    assert catalog.ids()
    for key in catalog.ids():
        zh, en = (catalog.text(key, lang) for lang in LANGUAGES)
        assert zh, (name, key)
        assert en, (name, key)
        assert sorted(_FIELDS.findall(zh)) == sorted(_FIELDS.findall(en)), (name, key)


def test_a_message_missing_a_language_is_refused() -> None:
    with pytest.raises(ValueError, match="'greeting' has no en text"):
        Catalog({"greeting": {"zh-CN": "你好"}})


def test_fields_are_filled_and_an_unknown_language_falls_back_to_chinese() -> None:
    catalog = Catalog({"hello": {"zh-CN": "你好，{name}", "en": "hello, {name}"}})
    assert catalog.text("hello", "en", name="Li") == "hello, Li"
    assert catalog.text("hello", "fr", name="Li") == "你好，Li"
