"""The ends of an exchange log the plaintext of what they encrypted or decrypted."""

from __future__ import annotations

import datetime as dt

from certfree.crypto import EncryptionKey, generate_signer
from certfree.exchange.protocol.audit import exchange_records
from certfree.exchange.protocol.signing import seal

CITY, MZ = "370100", "370100-MZ"
ASK = {
    "question": "marital_status",
    "args": {"id_number": "11010519491231002X"},
    "service_item": "SI-1",
    "purpose": "结婚登记",
}
ANSWER = {
    "question": "marital_status",
    "result": {"status": "married"},
    "grant_id": 1,
    "answered_at": "2026-12-07T08:00:00+00:00",
}


def test_the_provider_logs_the_answer_it_encrypted_and_a_resent_one_by_its_digest() -> None:
    city_enc, mz_enc = EncryptionKey.generate(), EncryptionKey.generate()
    ask = seal(
        generate_signer(),
        type="question.ask",
        sender=CITY,
        receiver=MZ,
        body=ASK,
        encrypt_to=mz_enc.public_jwk(),
    )
    reply = seal(
        generate_signer(),
        type="question.answer",
        sender=MZ,
        receiver=CITY,
        body=ANSWER,
        reply_to=ask.id,
        encrypt_to=city_enc.public_jwk(),
    )
    now = dt.datetime.now(dt.UTC)

    received, sent = exchange_records(ask, reply, now)
    assert (received.kind, received.subject_ids) == ("request_received", ["11010519491231002X"])
    assert sent.outcome == {"type": "question.answer", "body": ANSWER}
    # A stored reply released again to a retry is only its JWS, encrypted to the city: the
    # entry names the same reply by its digest and holds no body it cannot read.
    _, again = exchange_records(ask, reply.raw, now)
    assert again.outcome == {"type": "question.answer", "body": None}
    assert again.message_sha256 == sent.message_sha256 == reply.sha256
