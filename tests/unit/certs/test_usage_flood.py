"""A holder's use log (用证记录) cannot be flooded: one record per presentation per verifier,
at most ``USES_PER_CERTIFICATE`` records of one certificate per verifier an hour, and a rate
per verifier account on ``POST /api/v1/verifications``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree.certs.usage.limits import VERIFY_PER_VERIFIER
from certfree.certs.usage.log import (
    USES_PER_CERTIFICATE,
    USES_WINDOW,
    UseContext,
    uses_of_holder,
    verify_and_record,
)
from certfree.certs.usage.models import UseChannel
from certfree.crypto import Alg, KeyStore, generate_signer, present_sd_jwt
from certfree.errors import TooManyRequests
from certfree.storage import Database, utcnow
from factories.certificates import ELDERLY_CARD, issue_example

AUD, NONCE = "https://gate.example.cn/taishan", "n-61b0"


def _context(verifier: str) -> UseContext:
    return UseContext(verifier=verifier, audience=AUD, channel=UseChannel.VERIFICATION)


def _issued(db: Database, store: KeyStore) -> tuple[str, Any, str]:
    holder = generate_signer(Alg.ES256)
    with db.session() as session:
        issued = issue_example(session, store, ELDERLY_CARD, holder.public_jwk())
    return issued.credential, holder, issued.holder_id


def _log(db: Database, holder_id: str) -> list[tuple[str, bool]]:
    with db.session() as session:
        return [(u.verifier, u.valid) for u in uses_of_holder(session, holder_id)]


def test_reposting_a_presentation_adds_no_record(db: Database, store: KeyStore) -> None:
    credential, holder, holder_id = _issued(db, store)
    shown = present_sd_jwt(credential, [], holder, audience=AUD, nonce=NONCE)
    for _ in range(5):
        with db.session() as session:
            assert verify_and_record(session, store, shown, _context("gate-1"), nonce=NONCE).valid
    assert _log(db, holder_id) == [("gate-1", True)]
    # the same presentation at another verifier is another use; a refused repost is not new
    with db.session() as session:
        verify_and_record(session, store, shown, _context("gate-2"), nonce=NONCE)
        verify_and_record(session, store, " " + shown + "\n", _context("gate-2"), nonce=NONCE)
    assert _log(db, holder_id) == [("gate-2", True), ("gate-1", True)]


def test_variants_of_one_certificate_are_capped_per_verifier(db: Database, store: KeyStore) -> None:
    credential, holder, holder_id = _issued(db, store)
    shown = present_sd_jwt(credential, [], holder, audience=AUD, nonce=NONCE)
    start = utcnow()
    # each variant is a new text, refused (its key binding is broken), but about this holder
    variants = [shown[:-3] + f"{n:03d}" for n in range(USES_PER_CERTIFICATE + 1)]
    for number, variant in enumerate(variants[:-1]):
        with db.session() as session:
            moment = start + dt.timedelta(seconds=number)
            result = verify_and_record(
                session, store, variant, _context("g"), nonce=NONCE, now=moment
            )
            assert not result.valid
    with db.session() as session, pytest.raises(TooManyRequests) as refused:
        verify_and_record(session, store, variants[-1], _context("g"), nonce=NONCE, now=start)
    assert "同一核验账号对同一证照核验过于频繁" in refused.value.message
    assert 0 < refused.value.retry_after <= USES_WINDOW.total_seconds()
    assert len(_log(db, holder_id)) == USES_PER_CERTIFICATE
    with db.session() as session:  # another verifier, or an hour later, is not held back
        verify_and_record(session, store, variants[-1], _context("h"), nonce=NONCE, now=start)
        later = start + USES_WINDOW + dt.timedelta(seconds=USES_PER_CERTIFICATE)
        verify_and_record(session, store, variants[-1], _context("g"), nonce=NONCE, now=later)
    assert len(_log(db, holder_id)) == USES_PER_CERTIFICATE + 2


def test_the_api_logs_a_replayed_presentation_once_and_limits_each_verifier(
    client: TestClient, keys: KeyStore, token_for: Any
) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    credential, holder, holder_id = _issued(node.db, keys)
    shown = present_sd_jwt(credential, [], holder, audience=AUD, nonce=NONCE)
    headers = token_for("verifier", "gate-7")
    body = {"presentation": shown, "audience": AUD, "nonce": NONCE}
    answers = [
        client.post("/api/v1/verifications", json=body, headers=headers)
        for _ in range(VERIFY_PER_VERIFIER.limit)
    ]
    assert {(a.status_code, a.json()["valid"]) for a in answers} == {(200, True)}
    assert _log(node.db, holder_id) == [("gate-7", True)]
    over = client.post("/api/v1/verifications", json=body, headers=headers)
    assert over.status_code == 429
    assert over.headers["content-type"].startswith("application/problem+json")
    assert int(over.headers["retry-after"]) > 0
    assert "同一核验账号核验亮证过于频繁" in over.json()["detail"]
    other = client.post("/api/v1/verifications", json=body, headers=token_for("verifier", "g-8"))
    assert other.status_code == 200
    assert _log(node.db, holder_id) == [("g-8", True), ("gate-7", True)]
