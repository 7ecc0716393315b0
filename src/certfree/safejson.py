"""One decoder for JSON that comes from outside: tokens, disclosures, request bodies.

Python's ``json`` module, left to its defaults, accepts what RFC 8259 does not and what a
verifier must not take on trust:

* ``NaN``, ``Infinity`` and ``-Infinity`` literals (RFC 8259 §6: "Numeric values that cannot
  be represented ... such as Infinity and NaN are not permitted"); a NaN compares false with
  everything, so a NaN ``iat`` passes every freshness check;
* numbers such as ``1e400`` that overflow a double to infinity (RFC 7493 §2.2, I-JSON, says
  not to send numbers beyond IEEE 754 double precision);
* nesting as deep as the interpreter's recursion limit, which then ends in RecursionError
  (here or in the first recursive code that walks the value) instead of a refusal.

``loads_untrusted`` refuses all three, and text over a size limit before any parsing work,
with :class:`~certfree.errors.InvalidInput` saying which. It keeps the C scanner of ``json``
(a verifier decodes a dozen small parts per presentation) and counts brackets only when
there are more of them than the depth limit allows.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from certfree.errors import InvalidInput

__all__ = ["MAX_JSON_DEPTH", "MAX_JSON_SIZE", "loads_untrusted"]

MAX_JSON_DEPTH = 64  # no document of ours nests deeper than about 6
MAX_JSON_SIZE = 1024 * 1024  # 1 MiB of text


class _NotFinite(ValueError):
    """A NaN/Infinity literal or a number that overflows to infinity."""


def _refuse_constant(name: str) -> Any:
    raise _NotFinite(f"{name} is not a JSON number (RFC 8259 §6)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(f"number {text[:40]} is out of the range of a double (RFC 7493 §2.2)")
    return value


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)
# The C scanner json.loads ends in, with the hooks above (typeshed lacks the attribute):
# calling it directly skips the Python-level wrappers, which cost more than the scan itself
# on a 60-character disclosure.
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
# A JSON string (RFC 8259 §7), escapes included, in the "unrolled loop" form that never
# backtracks; removing strings leaves only structural brackets to count.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def _depth(text: str) -> int:
    """How deep ``text`` nests arrays and objects (an unterminated string counts its own)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads_untrusted(
    text: str | bytes,
    *,
    what: str = "JSON",
    max_depth: int = MAX_JSON_DEPTH,
    max_size: int = MAX_JSON_SIZE,
) -> Any:
    """Parse ``text`` (bytes must be UTF-8) as strict RFC 8259 JSON from an untrusted source.

    Raises InvalidInput, its message beginning with ``what``, for text over ``max_size``
    characters (bytes for bytes), invalid UTF-8 or JSON, nesting deeper than ``max_depth``,
    and NaN/Infinity or a number that overflows to infinity. Duplicate member names keep the
    last value (RFC 8259 §4 leaves them to the parser; ECMAScript does the same).
    """
    if len(text) > max_size:
        raise InvalidInput(f"{what} is {len(text)} long, over the limit of {max_size}")
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{what} is not UTF-8: {exc.reason}") from None
    # Fewer brackets than the limit cannot nest deeper than it: the usual case, no scan.
    if text.count("[") + text.count("{") > max_depth and _depth(text) > max_depth:
        raise InvalidInput(f"{what} nests deeper than {max_depth} levels")
    try:
        try:
            value, end = _SCAN(text, 0)
        except StopIteration:  # not a value at the very start (e.g. leading space)
            end = -1
        if end != len(text):  # whitespace around it, trailing data, or an error to word
            value = _DECODER.decode(text)
    except _NotFinite as exc:
        raise InvalidInput(f"{what}: {exc}") from None
    except RecursionError:  # only if the caller's own stack was nearly exhausted
        raise InvalidInput(f"{what} nests too deeply to read") from None
    except ValueError as exc:  # JSONDecodeError, and int() over 4,300 digits
        raise InvalidInput(f"{what} is not valid JSON: {exc}") from None
    return value
