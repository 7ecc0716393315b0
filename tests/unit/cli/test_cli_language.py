"""The command line speaks one language at a time: every help text of every command, in
Simplified Chinese (the default) or in English (``--lang en``), never a mix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer import _click
from typer.testing import CliRunner

from certfree.cli import app
from certfree.cli.i18n import CATALOG, language_from_args, localize
from certfree.i18n import LANGUAGES, Language, has_cjk, language_from_env

runner = CliRunner()
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _commands(lang: str) -> Iterator[tuple[str, Any]]:
    """Every command and group of the tree ``certfree --lang LANG`` shows, by command line."""
    root = typer.main.get_command(app)
    localize(root, lang)

    def walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    yield from walk(root, "certfree")


def _texts(command: Any) -> list[str]:
    """The help of ``command`` and of each of its options and arguments."""
    params = [*command.params, command.get_help_option(_click.Context(command))]
    return [command.help or "", *(param.help or "" for param in params)]


def _shown(command: Any, path: str, capsys: pytest.CaptureFixture[str]) -> str:
    """What ``PATH --help`` prints."""
    capsys.readouterr()
    print(command.get_help(_click.Context(command, info_name=path)))
    return _ANSI.sub("", capsys.readouterr().out)


def test_every_help_is_english_only_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    missing, chinese = [], []
    for path, command in _commands("en"):
        missing += [path for text in _texts(command) if not text]
        shown = _shown(command, path, capsys)
        chinese += [f"{path}: {line}" for line in shown.splitlines() if has_cjk(line)]
    assert not missing, missing
    assert not chinese, chinese


def test_every_help_is_chinese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    english = [
        f"{path}: {text!r}"
        for path, command in _commands("zh-CN")
        for text in _texts(command)
        if not has_cjk(text)
    ]
    assert not english, english


@pytest.mark.parametrize("path", [[], ["certs"], ["wallet", "present"], ["catalog", "demand"]])
def test_the_default_help_is_the_chinese_help(path: list[str]) -> None:
    default = runner.invoke(app, [*path, "--help"])
    chinese = runner.invoke(app, ["--lang", "zh-CN", *path, "--help"])
    english = runner.invoke(app, ["--lang", "en", *path, "--help"])
    assert default.exit_code == chinese.exit_code == english.exit_code == 0
    assert default.stdout == chinese.stdout
    assert has_cjk(chinese.stdout)
    assert not has_cjk(english.stdout), english.stdout


def test_help_follows_the_environment_and_the_option_wins() -> None:
    english = runner.invoke(app, ["certs", "--help"], env={"CERTFREE_LANG": "en"})
    assert "E-certificates" in english.stdout
    chinese = runner.invoke(app, ["--lang", "zh-CN", "certs", "--help"], env={"LANG": "en_US"})
    assert "电子证照" in chinese.stdout


def test_an_unknown_language_is_a_usage_error() -> None:
    result = runner.invoke(app, ["--lang", "fr", "certs", "--help"])
    assert result.exit_code == 2
    assert "--lang" in result.output


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, Language.ZH_CN),
        ({"LANG": "C.UTF-8"}, Language.ZH_CN),
        ({"LANG": "en_US.UTF-8"}, Language.EN),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_GB.UTF-8"}, Language.EN),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, Language.ZH_CN),
        ({"LANG": "en_US.UTF-8", "CERTFREE_LANG": "zh-CN"}, Language.ZH_CN),
        ({"CERTFREE_LANG": "en"}, Language.EN),
        ({"CERTFREE_LANG": "klingon"}, Language.ZH_CN),
    ],
)
def test_language_from_the_environment(environ: dict[str, str], expected: Language) -> None:
    assert language_from_env(environ) is expected


def test_lang_is_read_from_the_root_options_only() -> None:
    assert language_from_args(["--lang", "en", "certs", "list"]) is Language.EN
    assert language_from_args(["--lang=en", "certs"]) is Language.EN
    assert language_from_args(["certs", "--lang", "en"]) is None
    assert language_from_args(["commitments", "form", "X", "--lang", "en"]) is None


@pytest.mark.parametrize("key", CATALOG.ids())
def test_every_message_is_complete_in_both_languages(key: str) -> None:
    zh, en = (CATALOG.entry(key, lang) for lang in LANGUAGES)
    for text in zh if isinstance(zh, list) else [zh]:
        assert has_cjk(text), (key, text)
    for text in en if isinstance(en, list) else [en]:
        assert text, key
        assert not has_cjk(text), (key, text)
    fields = re.compile(r"\{(\w*)[^}]*\}")
    assert sorted(fields.findall(str(zh))) == sorted(fields.findall(str(en))), key
