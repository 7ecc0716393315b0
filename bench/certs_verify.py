"""Benchmark offline verification of presented e-certificates (issue 4 point 8), one core.

A presentation costs two signature checks (issuer seal, holder key binding) plus parsing,
SHA-256 digests and the status-list lookup (a cached, already verified list, as a gate works
offline). Prints, for the same presentations:

* certfree ``verify_presentation`` per second, beside the raw rate of the two signature
  verifications it needs (pyca/cryptography on the same key types) — goal ≥ 70 %;
* for ES256 issuer and holder, the reference verifier PyPI ``sd-jwt`` (``SDJWTVerifier``,
  issuer seal + key binding + digests, no status) on the same presentations.

    python bench/certs_verify.py            # about 2 s per measurement
    python bench/certs_verify.py --seconds 5
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

from certfree.certs.trust import TrustList
from certfree.certs.verification import StatusLists, verify_presentation
from certfree.crypto import (
    Alg,
    StatusList,
    generate_signer,
    issue_sd_jwt,
    present_sd_jwt,
    sign_status_list_token,
)

GOAL = 0.70  # verification rate ≥ 70 % of the raw pair's
USCC = "11370000004307021T"
URI = f"https://certs.sd.gov.cn/api/v1/status-lists/{USCC}/1"
AUD, NONCE = "https://gate.example.cn/taishan", "n-bench"
PRESENTATIONS = 64  # distinct presentations cycled through (different salts and signatures)
FACE = {
    "name": "张三",
    "sex": "男",
    "nation": "汉",
    "birth_date": "1958-03-14",
    "id_number": "370102195803142315",
    "address": "山东省济南市历下区泉城路 1 号",
    "card_no": "3701020001234",
    "issuing_authority": "济南市民政局",
    "age_over_60": True,
    "age_over_18": True,
}


def rate(work: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``work`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(50):
        work()
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(50):
            work()
        count += 50
    return count / (time.perf_counter() - started)


def raw_verify(alg: Alg) -> Callable[[], None]:
    """One raw verification with pyca/cryptography of a JWS-sized message."""
    message = b"x" * 1200
    if alg is Alg.EdDSA:
        ed_key = Ed25519PrivateKey.generate()
        ed_signature, ed_public = ed_key.sign(message), ed_key.public_key()
        return lambda: ed_public.verify(ed_signature, message)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ecdsa = ec.ECDSA(hashes.SHA256())
    ec_signature, ec_public = ec_key.sign(message, ecdsa), ec_key.public_key()
    return lambda: ec_public.verify(ec_signature, message, ecdsa)


def scenario(issuer_alg: Alg, holder_alg: Alg) -> dict[str, Any]:
    """Presentations of one elderly card, a trust list and a status-list source."""
    issuer, holder = generate_signer(issuer_alg), generate_signer(holder_alg)
    now = int(time.time())
    statuses = StatusList(2, 16_384)
    token = sign_status_list_token(issuer, URI, statuses, iat=now, exp=now + 86400, ttl=86400)
    claims = {
        "iss": USCC,
        "vct": "11100000000013709K001",
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + 86400 * 365,
        "status": {"status_list": {"idx": 4711, "uri": URI}},
        **FACE,
    }
    shown = []
    for _ in range(PRESENTATIONS):
        credential = issue_sd_jwt(
            issuer, claims, selectively_disclosable=list(FACE), holder_jwk=holder.public_jwk()
        )
        disclose = ["name", "age_over_60", "address"]
        shown.append(present_sd_jwt(credential, disclose, holder, audience=AUD, nonce=NONCE))
    return {
        "issuer": issuer,
        "shown": shown,
        "trust": TrustList(issuers={USCC: (issuer.public_jwk(),)}),
        "lists": StatusLists(lambda uri: token),
    }


def certfree_rate(scene: dict[str, Any], seconds: float) -> float:
    shown, cursor = scene["shown"], [0]

    def once() -> None:
        cursor[0] = (cursor[0] + 1) % len(shown)
        result = verify_presentation(
            shown[cursor[0]],
            trust=scene["trust"],
            status_lists=scene["lists"],
            audience=AUD,
            nonce=NONCE,
        )
        assert result.valid, result.failed

    return rate(once, seconds)


def reference_rate(scene: dict[str, Any], seconds: float) -> float:
    shown, cursor = scene["shown"], [0]
    issuer_key = JWK.from_json(json.dumps(scene["issuer"].public_jwk()))

    def once() -> None:
        cursor[0] = (cursor[0] + 1) % len(shown)
        verifier = SDJWTVerifier(
            shown[cursor[0]], lambda iss, header: issuer_key, expected_aud=AUD, expected_nonce=NONCE
        )
        assert verifier.get_verified_payload()["age_over_60"] is True

    return rate(once, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    args = parser.parse_args()
    seconds = args.seconds
    raw = {alg: rate(raw_verify(alg), seconds) for alg in (Alg.EdDSA, Alg.ES256)}
    print(f"raw verify, one core: Ed25519 {raw[Alg.EdDSA]:,.0f}/s, ES256 {raw[Alg.ES256]:,.0f}/s")
    for issuer_alg, holder_alg in ((Alg.EdDSA, Alg.EdDSA), (Alg.EdDSA, Alg.ES256)):
        pair = 1 / (1 / raw[issuer_alg] + 1 / raw[holder_alg])
        ours = certfree_rate(scenario(issuer_alg, holder_alg), seconds)
        verdict = "meets" if ours / pair >= GOAL else "BELOW"
        print(
            f"issuer {issuer_alg}, holder {holder_alg}: certfree {ours:,.0f}/s; raw pair "
            f"{pair:,.0f}/s; ratio {ours / pair:.0%} ({verdict} the {GOAL:.0%} goal)"
        )
    scene = scenario(Alg.ES256, Alg.ES256)
    pair = raw[Alg.ES256] / 2
    ours, reference = certfree_rate(scene, seconds), reference_rate(scene, seconds)
    print(
        f"issuer ES256, holder ES256: certfree {ours:,.0f}/s; raw pair {pair:,.0f}/s "
        f"(ratio {ours / pair:.0%}); sd-jwt reference {reference:,.0f}/s "
        f"(certfree/reference {ours / reference:.2f}x)"
    )


if __name__ == "__main__":
    main()
