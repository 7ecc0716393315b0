"""Check-character systems of the Chinese identifiers, written for speed.

The demo generator computes millions of check characters, so each function here is a few C-level
string/int operations with precomputed tables — no regex, no per-character Python loop where a
positional-number trick does the same sum. ``tests/unit/identifiers`` checks every function
against a literal implementation of the standard's weighted sum.

Callers pass already-validated strings (``parse_*`` validates first, ``make_*`` checks its
arguments); functions here raise :class:`~certfree.errors.InvalidIdentifier` only for the cheap
shape checks they need to stay correct.
"""

from __future__ import annotations

from certfree.errors import InvalidIdentifier

__all__ = [
    "ISO7064_MOD37_36_ALPHABET",
    "ORG_CODE_ALPHABET",
    "USCC_ALPHABET",
    "mod37_36_check_char",
    "org_code_check_char",
    "resident_id_check_char",
    "uscc_check_char",
]

# GB 32100-2015 §4.1: 31 symbols, the digits and capital letters without I, O, S, V, Z;
# a symbol's value is its index here (Table 3 of the standard).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB 11714-1997 Annex A: digits and all 26 capital letters, A = 10 … Z = 35.
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# ISO 7064 MOD 37,36 (hybrid system, M = 36): digits and capital letters, values 0 … 35.
ISO7064_MOD37_36_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_RESIDENT_CHECK = "0123456789X"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {ch: value for value, ch in enumerate(ORG_CODE_ALPHABET)}
_MOD37_VALUE = {ch: value for value, ch in enumerate(ISO7064_MOD37_36_ALPHABET)}
# Maps each USCC symbol to the base-36 digit with the same value, so int(..., 34) can read it.
_USCC_TO_BASE36 = str.maketrans(USCC_ALPHABET, ORG_CODE_ALPHABET[:31])
_USCC_SET = frozenset(USCC_ALPHABET)


def resident_id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character ('0'-'9' or 'X') for the 17 digits ``first17``.

    GB 11643 §7 / ISO 7064 MOD 11-2: S = Σ a_i·W_i with W_i = 2^(18-i) mod 11, and the check
    value c satisfies S + c ≡ 1 (mod 11); c = 10 is written 'X'.
    Raises InvalidIdentifier unless ``first17`` is exactly 17 ASCII digits.
    """
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise InvalidIdentifier(f"expected the 17 leading digits of a resident ID, got {first17!r}")
    # Reading the digits in base 13 (13 ≡ 2 mod 11) gives Σ a_i·2^(17-i) ≡ S/2 (mod 11) in C.
    return _RESIDENT_CHECK[(1 - 2 * int(first17, 13)) % 11]


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character (position 18) for the USCC prefix ``first17``.

    GB 32100 §4.3: C18 = 31 - (Σ C_i·W_i mod 31) with W_i = 3^(i-1) mod 31, 31 written as '0'.
    Raises InvalidIdentifier unless ``first17`` is 17 symbols of the USCC alphabet.
    """
    if len(first17) != 17 or not _USCC_SET.issuperset(first17):
        raise InvalidIdentifier(f"expected 17 USCC symbols (no I, O, S, V, Z), got {first17!r}")
    # Reversed and read in base 34 (34 ≡ 3 mod 31), the value is Σ C_i·3^(i-1) (mod 31).
    total = int(first17.translate(_USCC_TO_BASE36)[::-1], 34)
    return USCC_ALPHABET[-total % 31]


def org_code_check_char(first8: str) -> str:
    """The GB 11714-1997 check character of an organisation code body ``first8``.

    GB 11714 §5: C9 = 11 - (Σ C_i·W_i mod 11), W = 3 7 9 10 5 8 4 2, letters A = 10 … Z = 35;
    C9 = 10 is written 'X' and C9 = 11 is written '0'.
    Raises InvalidIdentifier unless ``first8`` is 8 digits or capital letters.
    """
    try:
        if len(first8) != 8:
            raise KeyError(first8)
        total = sum(_ORG_VALUE[ch] * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    except KeyError:
        raise InvalidIdentifier(
            f"expected 8 digits or capital letters of an organisation code, got {first8!r}"
        ) from None
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def mod37_36_check_char(data: str) -> str:
    """The ISO 7064 MOD 37,36 check character of ``data`` (digits and capital letters).

    ISO 7064 §7 (hybrid system, M = 36): P_1 = M; for each character, S = (P + value) mod M with 0
    read as M, and P' = 2·S mod (M + 1); the check value c makes (P + c) mod M = 1. A hybrid
    system's check character is always one of the M data symbols — never the '*' that only the
    pure system MOD 37-2 uses.
    Raises InvalidIdentifier for an empty string or a character outside 0-9 A-Z.
    """
    if not data:
        raise InvalidIdentifier("ISO 7064 MOD 37,36 needs at least one character")
    product = 36
    try:
        for ch in data:
            product = (((product + _MOD37_VALUE[ch]) % 36 or 36) * 2) % 37
    except KeyError as exc:
        raise InvalidIdentifier(
            f"character {exc.args[0]!r} is not allowed (digits and capital letters only)"
        ) from None
    return ISO7064_MOD37_36_ALPHABET[(37 - product) % 36]
