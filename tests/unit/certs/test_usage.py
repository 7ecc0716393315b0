"""The verification log and short codes at the domain level: who a record is linked to,
what it keeps, and a code's one-time, 120-second life."""

from __future__ import annotations

import datetime as dt

import pytest

from certfree.certs.errors import (
    ShortCodeExpired,
    ShortCodeNotFound,
    ShortCodePresentationInvalid,
    ShortCodeUsed,
)
from certfree.certs.usage.codes import issue_short_code, normalise_code, redeem_short_code
from certfree.certs.usage.log import (
    UseContext,
    describe_use,
    record_use,
    uses_of_holder,
    verify_and_record,
)
from certfree.certs.usage.models import UseChannel
from certfree.certs.verification import VerificationResult
from certfree.crypto import Alg, KeyStore, generate_signer, present_sd_jwt
from certfree.storage import Database
from factories.certificates import ELDERLY_CARD, issue_example

AUD = "https://bank.example.cn"
CONTEXT = UseContext(verifier="teller-9", audience=AUD, channel=UseChannel.VERIFICATION)


def _presentation(db: Database, store: KeyStore, disclose: list[str]) -> tuple[str, str]:
    holder = generate_signer(Alg.ES256)
    with db.session() as session:
        issued = issue_example(session, store, ELDERLY_CARD, holder.public_jwk())
    shown = present_sd_jwt(issued.credential, disclose, holder, audience=AUD, nonce="n")
    return shown, issued.holder_id


def test_a_verified_use_is_linked_to_the_holder_through_the_base_library(
    db: Database, store: KeyStore
) -> None:
    # The address with the name: a graded field is never disclosed alone (certs.disclosure).
    shown, holder_id = _presentation(db, store, ["name", "address"])
    with db.session() as session:
        result = verify_and_record(session, store, shown, CONTEXT, nonce="n")
        assert result.valid
    with db.session() as session:
        (use,) = uses_of_holder(session, holder_id.lower())
        assert use.disclosed == ["address", "name"]
        assert "山东省济南市" not in repr(vars(use))  # the address value is not kept
        assert "王建国" not in repr(vars(use))  # nor the name
        assert "出示项目：住址、姓名；" in describe_use(use)


def test_a_forged_presentation_naming_a_real_certificate_is_not_put_in_its_log(
    db: Database, store: KeyStore
) -> None:
    shown, holder_id = _presentation(db, store, [])
    jwt, rest = shown.split("~", 1)
    header, payload, signature = jwt.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA~{rest}"
    with db.session() as session:
        result = verify_and_record(session, store, forged, CONTEXT, nonce="n")
        assert not result.valid
    with db.session() as session:
        assert uses_of_holder(session, holder_id) == []


def test_an_unreadable_presentation_is_logged_by_digest_without_holder(db: Database) -> None:
    failed = VerificationResult(valid=False)
    with db.session() as session:
        use = record_use(session, "garbage", failed, CONTEXT)
        assert use.certificate_id.startswith("sha256:")
        assert len(use.certificate_id) == 71
        assert use.holder_id is None
        assert use.disclosed == []
        assert "电子证照" in describe_use(use)


def test_a_short_code_works_once_and_only_while_fresh(db: Database, store: KeyStore) -> None:
    shown, _ = _presentation(db, store, [])
    start = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
    with db.session() as session:
        first = issue_short_code(session, shown, now=start).code
        second = issue_short_code(session, shown, now=start).code
    assert first != second
    spaced = f"{first[:4].lower()}-{first[4:]}"
    assert normalise_code(spaced) == first
    with db.session() as session:
        late = start + dt.timedelta(seconds=120)
        with pytest.raises(ShortCodeExpired, match="已过期"):
            redeem_short_code(session, second, redeemed_by="gate", now=late)
        on_time = start + dt.timedelta(seconds=119)
        assert redeem_short_code(session, spaced, redeemed_by="gate", now=on_time) == shown
    with db.session() as session, pytest.raises(ShortCodeUsed, match="只能用一次"):
        redeem_short_code(session, first, redeemed_by="gate", now=start)
    with db.session() as session, pytest.raises(ShortCodeNotFound):
        redeem_short_code(session, "23456789", redeemed_by="gate")


@pytest.mark.parametrize("text", ["", "abc", "a.b.c~", "x" * 70_000])
def test_only_a_presentation_gets_a_code(db: Database, text: str) -> None:
    with db.session() as session, pytest.raises(ShortCodePresentationInvalid):
        issue_short_code(session, text)
