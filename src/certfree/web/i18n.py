"""User-facing text in Simplified Chinese (default) and English; a user picks with ``?lang=``."""

from __future__ import annotations

from fastapi import Request

from certfree.i18n import DEFAULT_LANGUAGE, LANGUAGES, Catalog

__all__ = ["LANGUAGES", "LANG_COOKIE", "MESSAGES", "alone", "pick_language"]

LANG_COOKIE = "certfree_lang"

# The landing page's text; see certfree.i18n for the format and how languages are chosen.
MESSAGES = Catalog.load("certfree.web", "messages/landing.json").by_language()


def alone(words: str, lang: str = "en") -> str:
    """A label standing alone on an English page (a badge, a cell, an option) begins with a
    capital: "correction requested" → "Correction requested"; the domain's labels are lower
    case to sit inside sentences. Chinese is returned as it is."""
    return words[:1].upper() + words[1:] if lang == "en" else words


def pick_language(request: Request, default: str) -> str:
    """``?lang=`` first, then the cookie, then Accept-Language, then the node's default."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    accept = request.headers.get("accept-language", "").lower()
    if accept.startswith("en"):
        return "en"
    if accept.startswith("zh"):
        return DEFAULT_LANGUAGE.value
    return default if default in LANGUAGES else DEFAULT_LANGUAGE.value
