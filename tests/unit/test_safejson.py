"""``loads_untrusted``: strict JSON for what comes from outside, refused with a reason."""

from __future__ import annotations

import json

import pytest

from certfree.errors import InvalidInput
from certfree.safejson import MAX_JSON_DEPTH, loads_untrusted


@pytest.mark.parametrize(
    "text",
    [
        '{"iat":1780000000,"aud":"https://gate.example.cn","x":[1,2.5,null,true]}',
        ' {"a": "[[[[{{{{ \\" ]]"} ',  # brackets inside strings do not nest
        '"证照"',
        "[]",
        "-0.5e-3",
        "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH,
        '{"a":1,"a":2}',  # the last of duplicate names, as RFC 7519 §4 allows
    ],
)
def test_what_strict_json_accepts_reads_as_the_json_module_reads_it(text: str) -> None:
    assert loads_untrusted(text) == json.loads(text)
    assert loads_untrusted(text.encode("utf-8")) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"iat":NaN}', "NaN is not a JSON number"),
        ("[Infinity]", "Infinity is not a JSON number"),
        ('{"exp":-Infinity}', "-Infinity is not a JSON number"),
        ('{"iat":1e400}', "out of the range of a double"),
        ("-1e400", "out of the range of a double"),
        ("[" * 1000 + "]" * 1000, f"nests deeper than {MAX_JSON_DEPTH} levels"),
        ('{"a":' * 100 + "1" + "}" * 100, "nests deeper than"),
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "nests deeper than"),
        ("[" * 100_000, "nests deeper than"),
        ("1" * 5000, "not valid JSON"),
        ('{"a":1} x', "not valid JSON: Extra data"),
        ("", "not valid JSON"),
        ("{'a':1}", "not valid JSON"),
    ],
)
def test_what_strict_json_refuses_is_named(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=r"^disclosure") as refused:
        loads_untrusted(text, what="disclosure")
    assert says in refused.value.message


def test_size_and_encoding_are_checked_before_parsing() -> None:
    with pytest.raises(InvalidInput, match="over the limit of 10"):
        loads_untrusted("[" + "1," * 10 + "1]", max_size=10)
    with pytest.raises(InvalidInput, match="not UTF-8"):
        loads_untrusted(b'"\xff"')
    assert loads_untrusted("[[1]]", max_depth=2) == [[1]]
    with pytest.raises(InvalidInput, match="deeper than 1"):
        loads_untrusted("[[1]]", max_depth=1)
