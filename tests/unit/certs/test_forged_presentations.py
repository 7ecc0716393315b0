"""A corpus of forged and mutated presentations through the real verifier: none is accepted,
none crashes, each is refused with a named reason.

The classes (``helpers.forgery``): NaN/Infinity/1e400/fractions/strings/booleans/null in
``iat``/``exp``/``nbf`` of the issuer JWT and of the key binding (re-signed by the genuine
keys, so only the date check can refuse them), 1,000-level nesting in every part, wrong
``typ``, missing or non-string ``vct``, malformed status references, tampered disclosures,
swapped and stranger signatures, key-binding claims, broken structure, and random one-
character flips. A control run through the same re-sealing with harmless values verifies.
"""

from __future__ import annotations

import collections
import re
from typing import Any

import pytest

from certfree.certs.trust import TrustList
from certfree.certs.verification import StatusLists, VerificationResult, verify_presentation
from certfree.crypto import (
    Alg,
    StatusList,
    generate_signer,
    issue_sd_jwt,
    sign_status_list_token,
)
from helpers.forgery import CLASSES, Forger

NOW = 1_780_000_000
USCC = "11370000004307021T"
URI = f"https://certs.sd.gov.cn/api/v1/status-lists/{USCC}/1"
AUD, NONCE = "https://gate.example.cn/taishan", "n-7d21"
VCT = "11100000000013709K001"
FLIPS = 10_000  # random one-character flips per issuer algorithm
_REASON = re.compile(r"[a-z][a-z0-9_]*")


def _forger(issuer_alg: Alg, holder_alg: Alg) -> tuple[Forger, Any]:
    issuer, holder = generate_signer(issuer_alg), generate_signer(holder_alg)
    claims = {
        "iss": USCC,
        "vct": VCT,
        "iat": NOW - 86400,
        "nbf": NOW - 86400,
        "exp": NOW + 86400 * 365,
        "status": {"status_list": {"idx": 5, "uri": URI}},
        "face": {"name": "王五", "birth_date": "1958-03-15"},
        "age_over_60": True,
    }
    credential = issue_sd_jwt(
        issuer,
        claims,
        selectively_disclosable=["face", ("face", "name"), "age_over_60"],
        holder_jwk=holder.public_jwk(),
    )
    token = sign_status_list_token(
        issuer, URI, StatusList(2, 64), iat=NOW - 10, exp=NOW + 86400, ttl=300
    )
    trust = TrustList(issuers={USCC: (issuer.public_jwk(),)})

    def verify(presentation: str) -> VerificationResult:
        return verify_presentation(
            presentation,
            trust=trust,
            status_lists=StatusLists(lambda uri: token),
            audience=AUD,
            nonce=NONCE,
            now=NOW,
        )

    return Forger(credential, issuer, holder, AUD, NONCE, NOW), verify


def _refused(verify: Any, forgeries: Any) -> collections.Counter[str]:
    """Verify each forgery; return the count per class. Fails on any accepted one."""
    counts: collections.Counter[str] = collections.Counter()
    accepted = []
    for kind, presentation in forgeries:
        result = verify(presentation)  # an exception here is a crash: the test fails
        counts[kind.split(":")[0]] += 1
        if result.valid or not result.failed:
            accepted.append(kind)
        for failure in result.failed:
            assert _REASON.fullmatch(failure.reason), (kind, failure)
            assert failure.message, (kind, failure)
            assert failure.message_zh, (kind, failure)
        assert result.claims == {}, kind
    assert accepted == []
    return counts


@pytest.mark.parametrize(
    ("issuer_alg", "holder_alg"),
    [(Alg.EdDSA, Alg.ES256), (Alg.ES256, Alg.EdDSA), (Alg.SM2, Alg.ES256)],
)
def test_no_forged_presentation_is_accepted_or_crashes(issuer_alg: Alg, holder_alg: Alg) -> None:
    forger, verify = _forger(issuer_alg, holder_alg)
    for kind, presentation in forger.control():
        result = verify(presentation)
        assert result.valid, (kind, result.failed)
    flips = FLIPS if issuer_alg is not Alg.SM2 else FLIPS // 10  # SM2 is slow in Python
    counts = _refused(verify, forger.corpus(flips=flips))
    every_class = {make.__name__ for make in CLASSES}
    assert len(every_class) == len(CLASSES)
    assert sum(counts.values()) >= 200 + flips
    assert counts["random_flip"] == flips


def _reasons(verify: Any, forgeries: Any) -> dict[str, set[str]]:
    return {kind: {f.reason for f in verify(p).failed} for kind, p in forgeries}


def test_each_class_is_refused_for_its_own_reason() -> None:
    forger, verify = _forger(Alg.EdDSA, Alg.ES256)
    dates = _reasons(verify, [*forger.kb_dates(), *forger.issuer_dates()])
    for kind, reasons in dates.items():
        stale = kind in {"kb_iat:stale", "kb_iat:future", "kb_exp:past"}
        assert reasons == ({"kb_stale"} if stale else {"malformed"}), kind
    status = _reasons(verify, forger.status())
    assert status.pop("status:idx_nan") == {"malformed"}  # a NaN literal never parses
    for kind, reasons in status.items():
        assert reasons == {"status_malformed"}, kind
    for kind, reasons in _reasons(verify, forger.typ()).items():
        assert reasons == {"wrong_type"}, kind
    vct = _reasons(verify, forger.vct())
    assert vct.pop("iss:missing") == {"unknown_issuer"}
    assert vct.pop("disclosable:vct") == {"vc_claim_disclosable"}
    assert vct.pop("disclosable:status") == {"vc_claim_disclosable"}
    for kind, reasons in vct.items():
        assert reasons == {"vct_missing"}, kind
    for kind, reasons in _reasons(verify, forger.nesting()).items():
        assert reasons, kind
        assert reasons <= {"malformed", "malformed_disclosure"}, kind
