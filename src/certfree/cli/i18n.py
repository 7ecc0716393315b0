"""The command line in one language: Simplified Chinese by default, English on request.

``certfree --lang en …`` (or ``CERTFREE_LANG=en``, or an English POSIX locale: see
:func:`certfree.i18n.language_from_env`) picks English. All text is in ``messages.json``:

* help is looked up by the command line it documents — ``"certfree certs issue"`` for the
  command, ``"certfree certs issue --type"`` for an option, ``"certfree certs revoke
  IDENTIFIER"`` for an argument; an option or argument with no entry of its own takes the
  nearest one above it (``"certfree certs --json"``, then ``"certfree --json"``), so an
  option shared by a group is written once;
* what a command prints itself is looked up by id with :func:`t` (and :func:`headings`).

Messages of the domain's errors are the domain's (most carry both languages already).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any

import typer
from typer import _click
from typer.core import TyperGroup, TyperOption

from certfree.i18n import LANGUAGES, Catalog, Language, language_from_env

__all__ = [
    "CATALOG",
    "LocalizedGroup",
    "current_language",
    "headings",
    "label",
    "localize",
    "t",
]

CATALOG = Catalog.load("certfree.cli", "messages.json")
ROOT = "certfree"

_language: ContextVar[Language | None] = ContextVar("certfree_cli_language", default=None)


def current_language() -> Language:
    """The language of this run: ``--lang`` when given, else the environment's."""
    return _language.get() or language_from_env(os.environ)


def t(key: str, **fields: object) -> str:
    """Message ``key`` in the language of this run, ``{name}`` fields filled in."""
    return CATALOG.text(key, current_language(), **fields)


def headings(key: str) -> list[str]:
    """Table headings ``key`` in the language of this run."""
    return CATALOG.texts(key, current_language())


def label(zh: object, code: object) -> str:
    """A domain value as shown: its Chinese label (``zh``), or in English its code."""
    return str(zh if current_language() is Language.ZH_CN else code)


def language_from_args(args: Sequence[str]) -> Language | None:
    """The ``--lang`` value among the root command's options (before the subcommand)."""
    words = iter(args)
    for word in words:
        if word == "--lang":
            value = next(words, "")
        elif word.startswith("--lang="):
            value = word.partition("=")[2]
        elif word.startswith("-") and word != "--":
            continue
        else:
            return None  # the subcommand (or "--"): its options are not the root's
        return Language(value) if value in LANGUAGES else None
    return None


def _param_key(param: _click.Parameter) -> str:
    if isinstance(param, TyperOption):
        return next((opt for opt in param.opts if opt.startswith("--")), param.opts[0])
    return (param.name or "").upper()


def _lookup(path: list[str], leaf: str | None, lang: str) -> str | None:
    """The help for ``leaf`` (an option or argument) of the command at ``path``, or for the
    command itself; a leaf's entry is searched from its command up to the root."""
    if leaf is None:
        key = " ".join(path)
        return CATALOG.text(key, lang) if key in CATALOG else None
    for depth in range(len(path), 0, -1):
        key = " ".join([*path[:depth], leaf])
        if key in CATALOG:
            return CATALOG.text(key, lang)
    return None


def _commands(command: _click.Command, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            yield from _commands(sub, [*path, name])


def localize(root: _click.Command, lang: str) -> None:
    """Put the help of ``root`` and every command below it in ``lang``."""
    for path, command in _commands(root, [ROOT]):
        text = _lookup(path, None, lang)
        if text is not None:
            command.help = text
            command.short_help = None
        help_option = command.get_help_option(_click.Context(command))
        params = [*command.params, *([help_option] if help_option is not None else [])]
        for param in params:
            found = _lookup(path, _param_key(param), lang)
            if found is not None:
                param.help = found


class LocalizedGroup(TyperGroup):
    """The root command: picks the language of the run, then shows help in it."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        lang = language_from_args(argv) or language_from_env(os.environ)
        token = _language.set(lang)
        try:
            localize(self, lang)
            return super().main(argv, *rest, **extra)
        finally:
            _language.reset(token)


def language_option(
    lang: Language | None = typer.Option(None, "--lang", show_default=False),  # noqa: B008
) -> None:
    """Accept ``--lang`` on the root command; :class:`LocalizedGroup` has applied it."""
