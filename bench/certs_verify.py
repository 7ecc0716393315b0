"""Benchmark offline verification of presented e-certificates, one core.

A presentation costs two signature checks (issuer seal, holder key binding) plus parsing,
SHA-256 digests and the status-list lookup (a cached, already verified list, as a gate works
offline). Prints, for the same presentations:

* certfree ``verify_presentation`` per second, beside the raw rate of the two signature
  verifications it needs (pyca/cryptography on the same key types) — goal ≥ 70 %;
* for ES256 issuer and holder, the reference verifier PyPI ``sd-jwt`` (``SDJWTVerifier``,
  issuer seal + key binding + digests, no status) on the same presentations.

    python bench/certs_verify.py            # about 2 s per figure, interleaved; ~1 min
    python bench/certs_verify.py --seconds 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

from certfree.certs.claims import Validity
from certfree.certs.issuance import Sealing, seal, today
from certfree.certs.issuers import Issuer
from certfree.certs.statuslists import Allocation
from certfree.certs.trust import TrustList
from certfree.certs.types import cert_type
from certfree.certs.verification import StatusLists, verify_presentation
from certfree.crypto import (
    Alg,
    StatusList,
    generate_signer,
    present_sd_jwt,
    sign_status_list_token,
)

GOAL = 0.70  # verification rate ≥ 70 % of the raw pair's
BATCH = 20  # calls per turn when measurements are interleaved
ELDERLY_CARD = "11100000000013709K001"  # 老年人优待证, the catalog's own example face data
ISSUER = Issuer("11370100010000063K", "济南市卫生健康委员会", "370100-WJ", None)
URI = f"https://certs.sd.gov.cn/api/v1/status-lists/{ISSUER.uscc}/1"
AUD, NONCE = "https://gate.example.cn/taishan", "n-bench"
PRESENTATIONS = 64  # distinct presentations cycled through (different salts and signatures)
# What is shown: at a scenic-spot gate one predicate; at a hotel desk face fields too, which
# brings the face object's disclosure (eight more digests) into the presentation.
SHOWINGS = {
    "gate: age_over_60": ["age_over_60"],
    "hotel: name, address, age_over_60": ["name", "address", "age_over_60"],
}


def rates(works: Mapping[Any, Callable[[], object]], seconds: float) -> dict[Any, float]:
    """Calls per second of each of ``works``, measured interleaved in small batches.

    The machine is shared: load that comes and goes then weighs on every figure alike, so
    the ratios printed stay fair even when the absolute rates move.
    """
    spent = dict.fromkeys(works, 0.0)
    done = dict.fromkeys(works, 0)
    for work in works.values():  # warm-up
        for _ in range(20):
            work()
    while min(spent.values()) < seconds:
        for name, work in works.items():
            started = time.perf_counter()
            for _ in range(BATCH):
                work()
            spent[name] += time.perf_counter() - started
            done[name] += BATCH
    return {name: done[name] / spent[name] for name in works}


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


def scenario(issuer_alg: Alg, holder_alg: Alg, disclose: list[str]) -> dict[str, Any]:
    """Presentations of one elderly card as issuance lays it out, a trust list and a
    status-list source."""
    issuer, holder = generate_signer(issuer_alg), generate_signer(holder_alg)
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    now = int(moment.timestamp())
    statuses = StatusList(2, 16_384)
    token = sign_status_list_token(issuer, URI, statuses, iat=now, exp=now + 86400, ttl=86400)
    face = dict(cert_type(ELDERLY_CARD).example)
    sealing = Sealing(
        type_code=ELDERLY_CARD, issuer=ISSUER, holder_id=face["id_number"], face=face,
        holder_jwk=holder.public_jwk(), validity=Validity(today(moment), None), moment=moment,
        allocation=Allocation(serial=1, list_no=1, index=4711, uri=URI), serial="1", version=1,
    )  # fmt: skip
    shown = []
    for _ in range(PRESENTATIONS):  # what issuance seals, a fresh salt and signature each time
        credential = seal(issuer, sealing).credential
        shown.append(present_sd_jwt(credential, disclose, holder, audience=AUD, nonce=NONCE))
    return {
        "issuer": issuer,
        "shown": shown,
        "trust": TrustList(issuers={ISSUER.uscc: (issuer.public_jwk(),)}),
        "lists": StatusLists(lambda uri: token),
    }


def raw_pair(issuer_alg: Alg, holder_alg: Alg) -> Callable[[], None]:
    """The two signature checks of a presentation, nothing else."""
    issuer, holder = raw_verify(issuer_alg), raw_verify(holder_alg)

    def both() -> None:
        issuer()
        holder()

    return both


def certfree_work(scene: dict[str, Any]) -> Callable[[], None]:
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

    return once


def reference_work(scene: dict[str, Any]) -> Callable[[], None]:
    shown, cursor = scene["shown"], [0]
    issuer_key = JWK.from_json(json.dumps(scene["issuer"].public_jwk()))

    def once() -> None:
        cursor[0] = (cursor[0] + 1) % len(shown)
        verifier = SDJWTVerifier(
            shown[cursor[0]], lambda iss, header: issuer_key, expected_aud=AUD, expected_nonce=NONCE
        )
        assert verifier.get_verified_payload()["age_over_60"] is True

    return once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    args = parser.parse_args()
    raw = rates({alg: raw_verify(alg) for alg in (Alg.EdDSA, Alg.ES256)}, args.seconds)
    print(f"raw verify, one core: Ed25519 {raw[Alg.EdDSA]:,.0f}/s, ES256 {raw[Alg.ES256]:,.0f}/s")
    pairs = ((Alg.EdDSA, Alg.EdDSA), (Alg.EdDSA, Alg.ES256), (Alg.ES256, Alg.ES256))
    for showing, disclose in SHOWINGS.items():
        print(f"{showing}")
        for issuer_alg, holder_alg in pairs:
            scene = scenario(issuer_alg, holder_alg, disclose)
            works = {"pair": raw_pair(issuer_alg, holder_alg), "certfree": certfree_work(scene)}
            if holder_alg is Alg.ES256:  # the reference checks key binding with ES256 only
                works["reference"] = reference_work(scene)
            found = rates(works, args.seconds)
            ours, pair = found["certfree"], found["pair"]
            verdict = "meets" if ours / pair >= GOAL else "BELOW"
            line = (
                f"  issuer {issuer_alg}, holder {holder_alg}: certfree {ours:,.0f}/s; raw pair "
                f"{pair:,.0f}/s; ratio {ours / pair:.0%} ({verdict} the {GOAL:.0%} goal)"
            )
            if "reference" in found:
                reference = found["reference"]
                line += f"; sd-jwt reference {reference:,.0f}/s ({ours / reference:.2f}x)"
            print(line)


if __name__ == "__main__":
    main()
