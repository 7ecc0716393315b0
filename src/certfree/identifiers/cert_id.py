"""GB/T 36904-2018 电子证照标识 (electronic certificate identifier).

Layout, dot-separated after the OID root ``1.2.156.3005.2``::

    1.2.156.3005.2 . <type code: 21> . <issuer USCC: 18> . <serial> . <version: 3 digits> . <check>

The certificate type code is the defining authority's USCC followed by a 3-digit sequence; the
check character is ISO 7064 MOD 37,36 over type code + issuer + serial + version joined without
dots. The serial is assigned by the issuer; the text of the standard was not at hand, so its
rule here — one or more digits/capital letters, at most 64 — is inferred from identifiers in
published use (7 to 32 characters, see ``tests/vectors/gbt36904_examples.json``).
"""

from __future__ import annotations

from dataclasses import dataclass

from certfree.errors import InvalidIdentifier
from certfree.identifiers.checksums import ISO7064_MOD37_36_ALPHABET, mod37_36_check_char
from certfree.identifiers.uscc import USCC, parse_uscc

__all__ = ["CERT_ID_ROOT", "CertId", "make_cert_id", "parse_cert_id"]

CERT_ID_ROOT = "1.2.156.3005.2"
SERIAL_MAX_LENGTH = 64  # our bound, not the standard's (see module docstring)

_SERIAL_SET = frozenset(ISO7064_MOD37_36_ALPHABET)


@dataclass(frozen=True, slots=True)
class CertId:
    """A valid electronic certificate identifier and its parts.

    ``type_code`` is the 21-character certificate type code (``type_definer`` USCC + 3 digits),
    ``version`` the 3-digit version as written (e.g. "001").
    """

    type_code: str
    type_definer: USCC
    issuer: USCC
    serial: str
    version: str
    check_char: str

    @property
    def type_sequence(self) -> str:
        return self.type_code[18:]

    @property
    def value(self) -> str:
        """The identifier as written: root and the five parts, dot-separated."""
        return ".".join(
            (
                CERT_ID_ROOT,
                self.type_code,
                self.issuer.code,
                self.serial,
                self.version,
                self.check_char,
            )
        )

    def __str__(self) -> str:
        return self.value


def _type_code(text: str) -> USCC:
    if len(text) != 21:
        raise InvalidIdentifier(
            f"certificate type code has 21 characters (USCC + 3 digits), got {len(text)}"
        )
    if not text[18:].isdigit():
        raise InvalidIdentifier(
            f"certificate type code must end in 3 digits after the USCC, got {text[18:]!r}"
        )
    try:
        return parse_uscc(text[:18])
    except InvalidIdentifier as exc:
        raise InvalidIdentifier(
            f"certificate type code: the defining authority's USCC is invalid: {exc.message}"
        ) from None


def _issuer(text: str) -> USCC:
    try:
        return parse_uscc(text)
    except InvalidIdentifier as exc:
        raise InvalidIdentifier(f"issuer USCC is invalid: {exc.message}") from None


def _serial(text: str) -> str:
    if not text:
        raise InvalidIdentifier("serial number is empty")
    if len(text) > SERIAL_MAX_LENGTH:
        raise InvalidIdentifier(
            f"serial number has {len(text)} characters, at most {SERIAL_MAX_LENGTH} accepted"
        )
    if not _SERIAL_SET.issuperset(text):
        bad = next(ch for ch in text if ch not in _SERIAL_SET)
        raise InvalidIdentifier(
            f"character {bad!r} in the serial number is not allowed (digits and capital letters)"
        )
    return text


def _version(text: str) -> str:
    if len(text) != 3 or not (text.isascii() and text.isdigit()):
        raise InvalidIdentifier(f"version must be 3 digits, got {text!r}")
    return text


def parse_cert_id(s: str) -> CertId:
    """Parses and validates a GB/T 36904-2018 electronic certificate identifier.

    Surrounding spaces are stripped and letters upper-cased. Checked in order, the first fault
    raising InvalidIdentifier with a message naming it: the root ``1.2.156.3005.2``; five
    dot-separated parts; the type code (21 characters, its USCC valid, 3 digits); the issuer
    USCC; the serial; the 3-digit version; the MOD 37,36 check character.
    """
    text = s.strip().upper()
    prefix = CERT_ID_ROOT + "."
    if not text.startswith(prefix):
        raise InvalidIdentifier(f"an electronic certificate identifier starts with {prefix!r}")
    parts = text[len(prefix) :].split(".")
    if len(parts) != 5:
        raise InvalidIdentifier(
            "after the root an electronic certificate identifier has 5 dot-separated parts "
            f"(type code, issuer, serial, version, check character), got {len(parts)}"
        )
    type_code, issuer, serial, version, check = parts
    definer = _type_code(type_code)
    issuer_uscc = _issuer(issuer)
    _serial(serial)
    _version(version)
    if len(check) != 1:
        raise InvalidIdentifier(f"check character is a single character, got {check!r}")
    # GB/T 36904 §5 (per GB/T 17710 = ISO 7064): MOD 37,36 over the four middle parts, no dots.
    expected = mod37_36_check_char(type_code + issuer + serial + version)
    if check != expected:
        raise InvalidIdentifier(f"check character should be {expected!r}, got {check!r}")
    return CertId(
        type_code=type_code,
        type_definer=definer,
        issuer=issuer_uscc,
        serial=serial,
        version=version,
        check_char=check,
    )


def make_cert_id(type_code: str, issuer_uscc: str, serial: str, version: int | str) -> str:
    """Builds an electronic certificate identifier with its MOD 37,36 check character.

    ``version`` is an int 0-999 or a 3-digit string. All parts are validated as
    :func:`parse_cert_id` would, so the result always parses; raises InvalidIdentifier otherwise.
    """
    type_code = type_code.strip().upper()
    issuer_uscc = issuer_uscc.strip().upper()
    serial = serial.strip().upper()
    if isinstance(version, int):
        if not 0 <= version <= 999:
            raise InvalidIdentifier(f"version must be 0-999, got {version}")
        version = f"{version:03d}"
    _type_code(type_code)
    _issuer(issuer_uscc)
    _serial(serial)
    _version(version)
    check = mod37_36_check_char(type_code + issuer_uscc + serial + version)
    return ".".join((CERT_ID_ROOT, type_code, issuer_uscc, serial, version, check))
