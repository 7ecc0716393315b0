"""Derived claims (端侧处理): the holder computes them on the device, the verifier checks them.

Two kinds, declared per certificate type (``derived`` in ``data/types/*.json``) and specified
in docs/edge-processing.md:

* ``age_at_least`` N, without the birth date: a hash chain. At issue the issuer draws a
  32-byte ``seed``, counts ``k = min(ref − birth, max)`` days (``ref`` the issue day, ``max``
  ``CHAIN_DAYS``: a larger k is an older holder) and seals ``anchor = H^k(seed)`` with
  ``ref`` and ``max`` in the claim ``age_anchor``; the seed goes to the holder as the face
  member ``age_seed``, a disclosure the wallet never presents (it travels only when the whole
  face, birth date included, is shown: then it tells nothing more). To show "born on or
  before day T" (T = :func:`latest_birth_date` of the day shown and N) the holder sends
  ``p = H^(k − m)(seed)`` with ``m = max(ref − T, 0)``; the verifier checks ``m <= max`` and
  ``H^m(p) = anchor``. A holder born after T has k < m, and would need a preimage of the seed.
* ``resident_of`` a GB/T 2260 division: the issuer seals the holder's division at each level
  (``resident_province`` "37", ``resident_city`` "3701", ``resident_county`` "370102"), each
  selectively disclosable, so the holder shows the level asked and no finer one.

Layout, for the QR code a holder shows (``certs.claims``): ``age_anchor`` is selectively
disclosable at the top level, the levels are members of one selectively disclosable object
``residence`` (RFC 9901 §4.2.6), the seed a member of ``face``. Every presentation of such a
type carries two more digests (122 characters); a resident ID card proving an age fits QR
version 30, as one showing ``age_over_60`` fits version 27.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from certfree.certs.claims import BEIJING, FACE_CLAIM, CertificateClaims
from certfree.certs.disclosure import lone_disclosure
from certfree.certs.types import CertType, Derivation, cert_types

__all__ = [
    "AGE_ANCHOR",
    "AGE_SEED",
    "CHAIN_DAYS",
    "DIVISION_LEVELS",
    "RESIDENCE_CLAIM",
    "AgeAnchor",
    "DerivedFailure",
    "age_proof",
    "chain_steps",
    "check_derived",
    "check_edge",
    "division_level",
    "edge_claims",
    "hash_chain",
    "latest_birth_date",
    "with_edge",
    "without_edge",
]

RESIDENCE_CLAIM = "residence"  # the object holding the division levels
AGE_ANCHOR = "age_anchor"
AGE_SEED = "age_seed"  # never presented: it would give the birth date away
# 150 years of days (365.2425 × 150 = 54,786.4, rounded up): the longest chain either side
# walks; older than this at issue counts as exactly this old.
CHAIN_DAYS = 54_787
# GB/T 2260 §4: 2 digits a province, 4 a prefecture-level city, 6 a county-level division.
DIVISION_LEVELS = {2: "resident_province", 4: "resident_city", 6: "resident_county"}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: object) -> bytes | None:
    """32 bytes from base64url text, None for anything else."""
    if not isinstance(text, str) or len(text) != 43:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=")
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 and _b64(raw) == text else None


def hash_chain(value: bytes, steps: int) -> bytes:
    """``H^steps(value)``, H = SHA-256 over the 32 raw bytes (FIPS 180-4)."""
    sha256 = hashlib.sha256
    for _ in range(steps):
        value = sha256(value).digest()
    return value


def latest_birth_date(on: dt.date, years: int) -> dt.date:
    """T: the last birth date of a person aged at least ``years`` on day ``on``.

    Age counts whole years as the issuer's predicates do (``certs.facedata``: a year is
    complete on the birthday's month and day): one born on day b is N on ``on`` exactly when
    b ≤ ``on`` moved N years back. A 29 February birthday in a common year is complete on
    1 March, so on 29 February 2028 T for 18 is 28 February 2010, and one born on 29
    February 2008 is 18 from 1 March 2026, not on 28 February.
    """
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # on is 29 February, N years earlier a common year
        return on.replace(year=on.year - years, day=28)


def chain_steps(ref: dt.date, latest: dt.date) -> int:
    """m = days from T to the reference day, 0 when T is after it (every holder qualifies)."""
    return max((ref - latest).days, 0)


@dataclass(frozen=True, slots=True)
class AgeAnchor:
    """The sealed claim ``age_anchor``: the chain's end and how to count along it."""

    anchor: bytes
    ref: dt.date
    max: int

    def to_json(self) -> dict[str, Any]:
        # H is SHA-256 (no "alg" member: 22 characters in the QR code for a fixed value).
        return {"ref": self.ref.isoformat(), "max": self.max, "anchor": _b64(self.anchor)}

    @classmethod
    def read(cls, value: object) -> AgeAnchor | None:
        if not isinstance(value, Mapping):
            return None
        anchor, top = _unb64(value.get("anchor")), value.get("max")
        if anchor is None or type(top) is not int or not 0 <= top <= CHAIN_DAYS:
            return None
        try:
            ref = dt.date.fromisoformat(str(value.get("ref")))
        except ValueError:
            return None
        return cls(anchor, ref, top)


def _derivation(kind: CertType, name: str) -> Derivation | None:
    return next((d for d in kind.derivations if d.kind == name), None)


def edge_claims(
    kind: CertType, face: Mapping[str, Any], issue_day: dt.date, seed: bytes | None = None
) -> dict[str, Any]:
    """The derived material sealed for a certificate of ``kind``: ``age_anchor`` and
    ``age_seed``, the division levels by name; empty when the type derives nothing.

    ``seed`` is drawn here (32 random bytes) unless a test gives it.
    """
    members: dict[str, Any] = {}
    age = _derivation(kind, "age_at_least")
    if age is not None and isinstance(face.get(age.field), str):
        born = dt.date.fromisoformat(face[age.field])
        seed = os.urandom(32) if seed is None else seed
        steps = min(max((issue_day - born).days, 0), CHAIN_DAYS)
        anchor = AgeAnchor(hash_chain(seed, steps), issue_day, CHAIN_DAYS)
        members |= {AGE_ANCHOR: anchor.to_json(), AGE_SEED: _b64(seed)}
    residence = _derivation(kind, "resident_of")
    code = face.get(residence.field) if residence is not None else None
    if isinstance(code, str):
        for length, name in DIVISION_LEVELS.items():
            if code[length - 2 : length] != "00":  # 370100: a city, no county level
                members[name] = code[:length]
    return members


def division_level(code: str) -> str:
    """A division as the level it names: ``370000`` → ``37``, ``370100`` → ``3701``."""
    text = code.strip()
    while len(text) > 2 and text.endswith("00"):
        text = text[:-2]
    return text


def age_proof(seed: bytes, born: dt.date, anchor: AgeAnchor, on: dt.date, years: int) -> bytes:
    """The holder's proof ``p`` that one born on ``born`` is aged ``years`` on ``on``.

    ValueError when not (the holder is younger) or when ``seed``/``born`` do not give the
    sealed anchor (a credential from another issue, or a face altered on the device).
    """
    k = min(max((anchor.ref - born).days, 0), anchor.max)
    m = chain_steps(anchor.ref, latest_birth_date(on, years))
    if m > k:
        raise ValueError(f"born {born.isoformat()}: not aged {years} on {on.isoformat()}")
    proof = hash_chain(seed, k - m)
    if hash_chain(proof, m) != anchor.anchor:  # k hashes in all, the verifier's m included
        raise ValueError("the seed and birth date do not give the sealed anchor")
    return proof


@dataclass(frozen=True, slots=True)
class DerivedFailure:
    reason: str
    message: str
    message_zh: str


def _age(
    kind: CertType | None, claims: Mapping[str, Any], stated: object, on: dt.date
) -> int | DerivedFailure:
    rule = _derivation(kind, "age_at_least") if kind is not None else None
    anchor = AgeAnchor.read(claims.get(AGE_ANCHOR))
    statement = stated if isinstance(stated, Mapping) else {}
    years, proof = statement.get("years"), _unb64(statement.get("proof"))
    if rule is None or rule.minimum is None or rule.maximum is None:
        return DerivedFailure(
            "age_not_derivable", "this certificate type derives no age", "该类证照不能推导年龄"
        )
    if type(years) is not int or not rule.minimum <= years <= rule.maximum:
        return DerivedFailure(
            "age_years_not_allowed",
            f"age_at_least must be a whole number of years from {rule.minimum} to {rule.maximum}",
            f"年龄证明的周岁数应为 {rule.minimum} 至 {rule.maximum} 的整数",
        )
    if anchor is None or proof is None:
        return DerivedFailure(
            "age_proof_malformed",
            "an age proof needs the sealed age_anchor disclosed and a 32-byte proof",
            "年龄证明缺少已签章的链锚（age_anchor）或证明值格式错误",
        )
    steps = chain_steps(anchor.ref, latest_birth_date(on, years))
    if steps > anchor.max or hash_chain(proof, steps) != anchor.anchor:
        return DerivedFailure(
            "age_proof_mismatch",
            f"the proof does not show the holder aged {years} on {on.isoformat()}",
            f"年龄证明不成立：不能证明持证人于 {on.isoformat()} 年满 {years} 周岁",
        )
    return years


def _residence(claims: Mapping[str, Any], stated: object) -> str | DerivedFailure | None:
    levels = claims.get(RESIDENCE_CLAIM)
    levels = levels if isinstance(levels, Mapping) else {}
    shown = [levels[n] for n in DIVISION_LEVELS.values() if isinstance(levels.get(n), str)]
    if stated is None:
        return shown[-1] if shown else None
    asked = division_level(stated) if isinstance(stated, str) else ""
    if asked not in shown:
        return DerivedFailure(
            "resident_of_mismatch",
            f"residence in {stated!r:.12} is stated but no sealed division of that level says so",
            f"所称居住地 {str(stated)[:12]} 与签章的行政区划不符或未披露该级区划",
        )
    return asked


def check_derived(
    kind: CertType | None,
    claims: Mapping[str, Any],
    key_binding: Mapping[str, Any] | None,
    on: dt.date,
) -> tuple[dict[str, Any], DerivedFailure | None]:
    """The derived claims a verified presentation proves, or the first that fails.

    ``claims`` are the verified, disclosed claims; ``key_binding`` the verified KB-JWT payload,
    whose ``derived`` object states what the holder proves (``{"age_at_least": {"years": 35,
    "proof": …}, "resident_of": "3701"}``); ``on`` is the Beijing day of its ``iat``, the day
    the holder proved for. A disclosed division level proves residence there by itself.
    """
    stated = key_binding.get("derived") if key_binding is not None else None
    stated = stated if isinstance(stated, Mapping) else {}
    derived: dict[str, Any] = {}
    if "age_at_least" in stated:
        age = _age(kind, claims, stated["age_at_least"], on)
        if isinstance(age, DerivedFailure):
            return derived, age
        derived["age_at_least"] = age
    residence = _residence(claims, stated.get("resident_of"))
    if isinstance(residence, DerivedFailure):
        return derived, residence
    if residence is not None:
        derived["resident_of"] = residence
    return derived, None


def with_edge(
    layout: CertificateClaims, kind: CertType, face: Mapping[str, Any], issue_day: dt.date
) -> CertificateClaims:
    """``layout`` with the derived material placed as the module docstring says."""
    material = edge_claims(kind, face, issue_day)
    claims, paths = dict(layout.claims), list(layout.disclosable)
    if AGE_ANCHOR in material:
        claims[AGE_ANCHOR] = material[AGE_ANCHOR]
        claims[FACE_CLAIM] = {**claims[FACE_CLAIM], AGE_SEED: material[AGE_SEED]}
        paths += [AGE_ANCHOR, (FACE_CLAIM, AGE_SEED)]
    levels = {n: material[n] for n in DIVISION_LEVELS.values() if n in material}
    if levels:
        claims[RESIDENCE_CLAIM] = levels
        paths += [*((RESIDENCE_CLAIM, n) for n in levels), RESIDENCE_CLAIM]
    return CertificateClaims(claims, paths)


def _beijing_day(moment: object) -> dt.date:
    seconds = moment if isinstance(moment, int) and not isinstance(moment, bool) else 0
    return dt.datetime.fromtimestamp(seconds, BEIJING).date()


def check_edge(
    claims: Mapping[str, Any], disclosed: Sequence[str], key_binding: Mapping[str, Any] | None
) -> tuple[dict[str, Any], tuple[str, str, str, str] | None]:
    """What a verified presentation proves beyond its disclosures, and whether it keeps the
    type's disclosure rule: ``(derived, None)``, or ``({}, (check, reason, message,
    message_zh))`` naming the verifier's check (``disclosure_rule`` or ``derived``)."""
    vct = claims.get("vct")
    kind = cert_types().get(vct) if isinstance(vct, str) else None
    if kind is not None and (lone := lone_disclosure(kind, disclosed)) is not None:
        return {}, ("disclosure_rule", "disclosed_alone", lone.message, lone.message_zh)
    on = _beijing_day(key_binding.get("iat") if key_binding is not None else None)
    derived, failure = check_derived(kind, claims, key_binding, on)
    if failure is not None:
        return {}, ("derived", failure.reason, failure.message, failure.message_zh)
    return derived, None


def without_edge(
    claims: dict[str, Any], disclosed: Sequence[str]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Claims and disclosed names without the derived material (anchor, seed, division
    levels): it is what ``derived`` reports on, not claims to show."""
    hidden = {AGE_ANCHOR, AGE_SEED, RESIDENCE_CLAIM, *DIVISION_LEVELS.values()}
    kept = {k: v for k, v in claims.items() if k not in hidden}
    face = kept.get(FACE_CLAIM)
    if isinstance(face, Mapping) and AGE_SEED in face:
        kept[FACE_CLAIM] = {k: v for k, v in face.items() if k != AGE_SEED}
    return kept, tuple(n for n in disclosed if n not in hidden)
