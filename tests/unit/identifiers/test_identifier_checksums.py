"""The fast check-character functions agree with literal transcriptions of the standards, and the
check systems detect every single-character substitution."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certfree.identifiers import (
    InvalidIdentifier,
    mod37_36_check_char,
    org_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)
from certfree.identifiers.checksums import ISO7064_MOD37_36_ALPHABET, USCC_ALPHABET

DIGITS = "0123456789"
ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def literal_mod11_2(first17: str) -> str:
    """GB 11643-1999 §7 as printed: W_i = 2^(18-i) mod 11, check = '10X98765432'[S mod 11]."""
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def literal_mod31(first17: str) -> str:
    """GB 32100-2015 §4.3 as printed: W_i = 3^(i-1) mod 31, C18 = 31 - MOD(Σ C_i·W_i, 31)."""
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, weights, strict=True))
    value = 31 - total % 31
    return USCC_ALPHABET[0 if value == 31 else value]


def literal_mod37_36(data: str) -> str:
    """ISO 7064 hybrid system, M = 36: find c with the recursion ending at P + c ≡ 1 (mod M)."""
    product = 36
    for ch in data:
        total = (product + ISO7064_MOD37_36_ALPHABET.index(ch)) % 36 or 36
        product = (2 * total) % 37
    return next(c for i, c in enumerate(ISO7064_MOD37_36_ALPHABET) if (product + i) % 36 == 1)


digits17 = st.text(alphabet=DIGITS, min_size=17, max_size=17)
uscc17 = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)
mod37_data = st.text(alphabet=ISO7064_MOD37_36_ALPHABET, min_size=1, max_size=80)


@given(digits17)
def test_resident_check_matches_the_standard(first17: str) -> None:
    assert resident_id_check_char(first17) == literal_mod11_2(first17)


@given(uscc17)
def test_uscc_check_matches_the_standard(first17: str) -> None:
    assert uscc_check_char(first17) == literal_mod31(first17)


@given(mod37_data)
def test_mod37_36_matches_the_standard(data: str) -> None:
    check = mod37_36_check_char(data)
    assert check == literal_mod37_36(data)
    # A hybrid system's check character is one of the 36 data symbols, never '*'.
    assert check in ISO7064_MOD37_36_ALPHABET


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("D2143569", "X"),  # the widely quoted GB 11714 example D2143569-X
        ("79013765", "X"),  # examples in blog.csdn.net/hibernate0125/article/details/24266673
        ("78305975", "3"),
        ("L0151012", "8"),  # inside USCC 91620105L015101280
    ],
)
def test_org_code_examples(body: str, check: str) -> None:
    assert org_code_check_char(body) == check


@given(mod37_data, st.data())
def test_mod37_36_detects_every_single_substitution(data: str, draw: st.DataObject) -> None:
    position = draw.draw(st.integers(0, len(data) - 1))
    other = draw.draw(
        st.sampled_from(ISO7064_MOD37_36_ALPHABET).filter(lambda c: c != data[position])
    )
    changed = data[:position] + other + data[position + 1 :]
    assert mod37_36_check_char(changed) != mod37_36_check_char(data)


@pytest.mark.parametrize(
    ("function", "argument"),
    [
        (resident_id_check_char, "1234567890123456"),
        (resident_id_check_char, "1234567890123456A"),
        (resident_id_check_char, "１２３４５６７８９０１２３４５６７"),
        (uscc_check_char, "91110000600037I41"),
        (org_code_check_char, "6000373"),
        (org_code_check_char, "6000373-"),
        (mod37_36_check_char, ""),
        (mod37_36_check_char, "ab"),
    ],
)
def test_check_functions_refuse_bad_input(function: Callable[[str], str], argument: str) -> None:
    with pytest.raises(InvalidIdentifier):
        function(argument)
