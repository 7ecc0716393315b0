"""Opening node messages: each refusal has its named reason; retries get the stored reply."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from certfree.crypto import EncryptionKey, b64url_decode, b64url_encode, generate_signer, sign_jws
from certfree.crypto.keys import PrivateSigner
from certfree.errors import InvalidInput
from certfree.exchange.errors import MessageRefused
from certfree.exchange.protocol.registry import RegistrySnapshot
from certfree.exchange.protocol.replay import purge_expired, reply_for, store_reply
from certfree.exchange.protocol.signing import MESSAGE_TYP, Message, Peer, open_message, seal
from certfree.storage import Database

CITY, MZ = "370100", "370100-MZ"
MZ_ENC = EncryptionKey.generate()  # the receiver's encryption key
ASK = {
    "question": "marital_status",
    "args": {"id_number": "11010519491231002X"},
    "service_item": "SI-1",
    "purpose": "结婚登记",
}


@pytest.fixture
def city_key() -> PrivateSigner:
    return generate_signer()


def directory(key: PrivateSigner, status: str = "active") -> RegistrySnapshot:
    now = int(time.time())
    peers = {CITY: Peer(CITY, status, "http://city", {key.kid: key.verifier})}
    return RegistrySnapshot(serial=1, issued_at=now, expires_at=now + 60, peers=peers)


def sealed(key: PrivateSigner, **overrides: Any) -> Message:
    args: dict[str, Any] = {
        "type": "question.ask",
        "sender": CITY,
        "receiver": MZ,
        "body": ASK,
        "encrypt_to": MZ_ENC.public_jwk(),
    }
    return seal(key, **(args | overrides))


def refusal(raw: str, snap: RegistrySnapshot, **kwargs: Any) -> str:
    with pytest.raises(MessageRefused) as refused:
        open_message(raw, snap, **kwargs)
    assert refused.value.problem_extensions()["reason"] == refused.value.reason.value
    return str(refused.value.reason)


def test_a_sealed_message_opens_with_every_member(city_key: PrivateSigner) -> None:
    message = sealed(city_key)
    opened = open_message(message.raw, directory(city_key), decrypt=MZ_ENC.decrypt)
    assert (opened.sender, opened.receiver, opened.type) == (CITY, MZ, "question.ask")
    assert opened.body == ASK
    assert opened.id == message.id
    assert opened.kid == city_key.kid


def test_tampered_payload_is_bad_signature(city_key: PrivateSigner) -> None:
    head, _, signature = sealed(city_key).raw.split(".")
    other = sealed(city_key, body={**ASK, "purpose": "别的事"}).raw.split(".")[1]
    assert refusal(f"{head}.{other}.{signature}", directory(city_key)) == "bad_signature"


def test_sender_not_in_registry_is_unknown_sender(city_key: PrivateSigner) -> None:
    raw = sealed(city_key, sender="370200").raw
    assert refusal(raw, directory(city_key)) == "unknown_sender"


def test_pending_sender_is_unknown_sender(city_key: PrivateSigner) -> None:
    assert refusal(sealed(city_key).raw, directory(city_key, "pending")) == "unknown_sender"


def test_revoked_sender(city_key: PrivateSigner) -> None:
    assert refusal(sealed(city_key).raw, directory(city_key, "revoked")) == "revoked_sender"


def test_key_not_registered_for_the_sender_is_unknown_kid(city_key: PrivateSigner) -> None:
    stranger = generate_signer()
    assert refusal(sealed(stranger).raw, directory(city_key)) == "unknown_kid"


@pytest.mark.parametrize("offset", [-121, 121])
def test_timestamp_beyond_the_skew_is_stale(city_key: PrivateSigner, offset: int) -> None:
    raw = sealed(city_key, now=time.time() + offset).raw
    assert refusal(raw, directory(city_key)) == "stale_timestamp"
    assert open_message(sealed(city_key, now=time.time() + offset // 2).raw, directory(city_key))


def _signed(key: PrivateSigner, payload: dict[str, Any], typ: str = MESSAGE_TYP) -> str:
    return sign_jws(key, payload, header={"typ": typ})


def _payload(**changes: Any) -> dict[str, Any]:
    base = {
        "v": 1,
        "id": "0b0c6f42-5d5a-4c53-9d5f-0d8a8e1c2f10",
        "type": "question.ask",
        "from": CITY,
        "to": MZ,
        "iat": int(time.time()),
        "nonce": "n-1",
        "reply_to": None,
        "body": ASK,
    }
    return base | changes


def test_other_version_is_unsupported_version(city_key: PrivateSigner) -> None:
    raw = _signed(city_key, _payload(v=2))
    assert refusal(raw, directory(city_key)) == "unsupported_version"


# Payloads are built when the test runs, not at collection: an `iat` taken minutes earlier
# (the whole suite runs first) would be refused as stale before its fault is reached.
@pytest.mark.parametrize(
    "make",
    [
        lambda: "not a jws",
        lambda: "a.b.c",
        lambda: _payload(id="not-a-uuid"),
        lambda: _payload(iat="yesterday"),
        lambda: _payload(iat=True),
        lambda: _payload(type="gossip"),
        lambda: _payload(body={"question": "marital_status"}),  # args, item, purpose missing
        lambda: {k: v for k, v in _payload().items() if k != "nonce"},
        lambda: {k: v for k, v in _payload().items() if k != "v"},
    ],
)
def test_malformed(city_key: PrivateSigner, make: Callable[[], str | dict[str, Any]]) -> None:
    raw_or_payload = make()
    raw = raw_or_payload if isinstance(raw_or_payload, str) else _signed(city_key, raw_or_payload)
    assert refusal(raw, directory(city_key)) == "malformed"


def test_another_typ_is_malformed(city_key: PrivateSigner) -> None:
    raw = _signed(city_key, _payload(), typ="certfree-access+jwt")
    assert refusal(raw, directory(city_key)) == "malformed"


def test_unsigned_alg_none_is_refused(city_key: PrivateSigner) -> None:
    # The sender's registered kid, so the refusal comes from the signature check, not from
    # the key lookup (an unknown kid would be refused whatever "alg" said).
    header = f'{{"alg":"none","kid":"{city_key.kid}","typ":"certfree-msg+jwt"}}'
    head = b64url_encode(header.encode())
    body = sealed(city_key).raw.split(".")[1]
    assert refusal(f"{head}.{body}.", directory(city_key)) == "bad_signature"


def test_a_retry_gets_the_stored_reply_and_another_message_with_its_id_is_a_replay(
    db: Database, city_key: PrivateSigner
) -> None:
    message = sealed(city_key)
    with db.session() as session:
        assert reply_for(session, message) is None
        store_reply(session, message, "signed.reply.jws", keep_seconds=300)
    with db.session() as session:
        assert reply_for(session, message) == "signed.reply.jws"
        reused = sealed(city_key, message_id=message.id, body={**ASK, "purpose": "另一件事"})
        with pytest.raises(MessageRefused) as refused:
            reply_for(session, reused)
        assert refused.value.reason == "replayed"


def test_expired_replies_are_purged(db: Database, city_key: PrivateSigner) -> None:
    message = sealed(city_key)
    with db.session() as session:
        store_reply(session, message, "r", keep_seconds=0)
    with db.session() as session:
        assert purge_expired(session) == 1
        assert reply_for(session, message) is None


def _payload_of(raw: str) -> dict[str, Any]:
    payload = json.loads(b64url_decode(raw.split(".")[1]))
    assert isinstance(payload, dict)
    return payload


def test_the_body_travels_encrypted_and_a_forwarder_cannot_read_it(
    city_key: PrivateSigner,
) -> None:
    message = sealed(city_key)
    assert message.body == ASK  # the sender keeps the plaintext
    assert message.readable
    payload = _payload_of(message.raw)
    assert set(payload["body"]) == {"jwe"}
    assert "11010519491231002X" not in message.raw
    assert "结婚登记" not in str(payload)
    # A forwarder checks the signature and the routing members, without a key.
    forwarded = open_message(message.raw, directory(city_key))
    assert (forwarded.sender, forwarded.receiver, forwarded.id) == (CITY, MZ, message.id)
    assert not forwarded.readable
    assert forwarded.body == payload["body"]


def test_a_body_for_another_key_is_undecryptable(city_key: PrivateSigner) -> None:
    raw = sealed(city_key).raw
    other = EncryptionKey.generate()
    assert refusal(raw, directory(city_key), decrypt=other.decrypt) == "undecryptable"


def test_a_changed_ciphertext_fails_the_signature_on_the_way(city_key: PrivateSigner) -> None:
    head, body, signature = sealed(city_key).raw.split(".")
    other = sealed(city_key).raw.split(".")[1]  # the same ask, encrypted anew
    assert refusal(f"{head}.{other}.{signature}", directory(city_key)) == "bad_signature"
    assert body != other


def test_a_personal_body_in_the_clear_is_malformed_even_on_the_way(
    city_key: PrivateSigner,
) -> None:
    raw = _signed(city_key, _payload())  # body ASK, not encrypted
    assert refusal(raw, directory(city_key)) == "malformed"
    assert refusal(raw, directory(city_key), decrypt=MZ_ENC.decrypt) == "malformed"


def test_sealing_an_encrypted_type_needs_the_receivers_key(city_key: PrivateSigner) -> None:
    with pytest.raises(InvalidInput, match="encrypted to its receiver 370100-MZ"):
        sealed(city_key, encrypt_to=None)
