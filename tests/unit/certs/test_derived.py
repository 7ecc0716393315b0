"""Derived claims (端侧处理): the age hash chain's off-by-ones and the division levels."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from typing import Any

import pytest

from certfree import certs
from certfree.certs.derived import (
    AGE_ANCHOR,
    AGE_SEED,
    CHAIN_DAYS,
    RESIDENCE_CLAIM,
    AgeAnchor,
    age_proof,
    chain_steps,
    check_derived,
    division_level,
    edge_claims,
    hash_chain,
    latest_birth_date,
)
from factories.certificates import ID_CARD

SEED = bytes(range(32))
ISSUED = dt.date(2026, 11, 29)
KIND = certs.cert_type(ID_CARD)


def _edge(born: str, issued: dt.date = ISSUED, code: str = "370102") -> dict[str, Any]:
    return edge_claims(KIND, {"birth_date": born, "division_code": code}, issued, seed=SEED)


def _proves(
    born: str, years: int, made: dt.date, checked: dt.date, issued: dt.date = ISSUED
) -> Any:
    """The holder's proof made for day ``made``, checked by a verifier for day ``checked``."""
    edge = _edge(born, issued)
    anchor = AgeAnchor.read(edge[AGE_ANCHOR])
    assert anchor is not None
    proof = age_proof(SEED, dt.date.fromisoformat(born), anchor, made, years)
    statement = {"years": years, "proof": base64.urlsafe_b64encode(proof).decode().rstrip("=")}
    claims = {AGE_ANCHOR: edge[AGE_ANCHOR]}
    return check_derived(KIND, claims, {"derived": {"age_at_least": statement}}, checked)


def _refused(result: Any, reason: str) -> Any:
    derived, failed = result
    assert derived == {}
    assert failed is not None
    assert failed.reason == reason
    return failed


def test_the_anchor_is_the_seed_hashed_once_per_day_of_age_at_issue() -> None:
    edge = _edge("1958-03-15")
    sealed = edge[AGE_ANCHOR]
    days = (ISSUED - dt.date(1958, 3, 15)).days
    assert sealed["ref"] == "2026-11-29"
    assert sealed["max"] == CHAIN_DAYS
    assert AgeAnchor.read(sealed) == AgeAnchor(hash_chain(SEED, days), ISSUED, CHAIN_DAYS)
    assert edge[AGE_SEED] == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
    assert "1958" not in str(sealed)


@pytest.mark.parametrize("years", [1, 18, 35, 60])
def test_latest_birth_date_agrees_with_the_issuers_age_predicates(years: int) -> None:
    # Every day of four years, leap days included, against the issuer's own age_over_18 …
    rule = certs.Predicate("p", "p", "p", "age_at_least", "birth_date", years)
    kind = dataclasses.replace(KIND, predicates=(rule,))
    for offset in range(4 * 366):
        on = dt.date(2024, 1, 1) + dt.timedelta(days=offset)
        latest = latest_birth_date(on, years)
        for born in (latest - dt.timedelta(days=1), latest, latest + dt.timedelta(days=1)):
            holds = certs.derive_predicates(kind, {"birth_date": born.isoformat()}, on)["p"]
            assert holds == (born <= latest), (on, born)


def test_on_the_nth_birthday_the_proof_holds_and_the_day_before_it_cannot_be_made() -> None:
    birthday, eve = dt.date(2026, 12, 7), dt.date(2026, 12, 6)
    assert _proves("1991-12-07", 35, birthday, birthday) == ({"age_at_least": 35}, None)
    with pytest.raises(ValueError, match="not aged 35 on 2026-12-06"):
        _proves("1991-12-07", 35, eve, eve)
    # The proof made on the birthday does not pass for the day before (one hash short).
    failed = _refused(_proves("1991-12-07", 35, birthday, eve), "age_proof_mismatch")
    assert "2026-12-06" in failed.message_zh


def test_one_born_on_29_february_is_18_on_1_march_of_a_common_year() -> None:
    issued, eve, first = dt.date(2025, 6, 1), dt.date(2026, 2, 28), dt.date(2026, 3, 1)
    assert latest_birth_date(eve, 18) == dt.date(2008, 2, 28)
    assert _proves("2008-02-29", 18, first, first, issued)[1] is None
    with pytest.raises(ValueError, match="not aged 18 on 2026-02-28"):
        _proves("2008-02-29", 18, eve, eve, issued)
    # On a leap day: one born on 28 February of a common year is 18, one born on 1 March not.
    leap = dt.date(2028, 2, 29)
    assert latest_birth_date(leap, 18) == dt.date(2010, 2, 28)
    assert _proves("2010-02-28", 18, leap, leap, issued)[1] is None
    with pytest.raises(ValueError, match="not aged 18 on 2028-02-29"):
        _proves("2010-03-01", 18, leap, leap, issued)
    assert _proves("2012-02-29", 16, leap, leap, issued)[1] is None  # leap to leap


def test_after_the_reference_day_the_anchor_itself_proves_what_every_holder_meets() -> None:
    first, eve = dt.date(2027, 11, 29), dt.date(2027, 11, 28)  # issued on the day of birth
    assert chain_steps(ISSUED, latest_birth_date(first, 1)) == 0
    assert _proves("2026-11-29", 1, first, first)[1] is None
    with pytest.raises(ValueError, match="not aged 1"):
        _proves("2026-11-29", 1, eve, eve)


def test_the_chain_is_bounded_and_a_proof_beyond_it_is_refused() -> None:
    edge = _edge("1850-01-01")  # older than the chain: counted as CHAIN_DAYS
    anchor = AgeAnchor.read(edge[AGE_ANCHOR])
    assert anchor is not None
    assert anchor.anchor == hash_chain(SEED, CHAIN_DAYS)
    assert _proves("1850-01-01", 120, ISSUED, ISSUED)[1] is None
    # A chain sealed shorter than the age asked needs more steps than it has: refused, even
    # with the seed itself (the chain's far end) as the proof.
    short = {**edge[AGE_ANCHOR], "max": 100 * 365}
    statement = {"years": 120, "proof": edge[AGE_SEED]}
    claims = {AGE_ANCHOR: short}
    stated = {"derived": {"age_at_least": statement}}
    _refused(check_derived(KIND, claims, stated, ISSUED), "age_proof_mismatch")


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ({"years": 121, "proof": "A" * 43}, "age_years_not_allowed"),
        ({"years": 0, "proof": "A" * 43}, "age_years_not_allowed"),
        ({"years": "35", "proof": "A" * 43}, "age_years_not_allowed"),
        ({"years": 35, "proof": "short"}, "age_proof_malformed"),
        ({"years": 35, "proof": "A" * 43}, "age_proof_mismatch"),
    ],
)
def test_a_bad_age_statement_is_refused_by_name(statement: dict[str, Any], reason: str) -> None:
    claims = {AGE_ANCHOR: _edge("1958-03-15")[AGE_ANCHOR]}
    stated = {"derived": {"age_at_least": statement}}
    _refused(check_derived(KIND, claims, stated, ISSUED), reason)


def test_an_age_statement_without_the_anchor_is_refused() -> None:
    stated = {"derived": {"age_at_least": {"years": 35, "proof": "A" * 43}}}
    _refused(check_derived(KIND, {}, stated, ISSUED), "age_proof_malformed")


def test_a_type_without_the_derivation_proves_no_age() -> None:
    claims = {AGE_ANCHOR: _edge("1958-03-15")[AGE_ANCHOR]}
    other = certs.cert_type("11100000000013709K001")  # elderly card: fixed predicates only
    stated = {"derived": {"age_at_least": {"years": 60, "proof": "A" * 43}}}
    _refused(check_derived(other, claims, stated, ISSUED), "age_not_derivable")


def test_the_division_is_sealed_at_each_level_it_has() -> None:
    edge = _edge("1958-03-15", code="370102")
    levels = ("resident_province", "resident_city", "resident_county")
    assert [edge[k] for k in levels] == ["37", "3701", "370102"]
    city_only = _edge("1958-03-15", code="370100")
    assert "resident_county" not in city_only
    assert city_only["resident_city"] == "3701"
    codes = ("370000", "370100", "370102", "3701")
    assert [division_level(c) for c in codes] == ["37", "3701", "370102", "3701"]


def test_residence_is_what_the_disclosed_level_says_and_no_finer() -> None:
    city = {RESIDENCE_CLAIM: {"resident_city": "3701"}}
    stated = {"derived": {"resident_of": "370100"}}
    assert check_derived(KIND, city, stated, ISSUED) == ({"resident_of": "3701"}, None)
    assert check_derived(KIND, city, None, ISSUED) == ({"resident_of": "3701"}, None)
    for wrong in ("370102", "3702", "37", 3701):
        claimed: dict[str, Any] = {"derived": {"resident_of": wrong}}
        _refused(check_derived(KIND, city, claimed, ISSUED), "resident_of_mismatch")
