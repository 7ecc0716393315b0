"""Hop envelopes: signed by the node making the hop, each fault refused with its reason, and
every message held to the path of the cascade."""

from __future__ import annotations

import time

import pytest

from certfree.crypto import generate_signer, sign_jws
from certfree.crypto.keys import PrivateSigner
from certfree.exchange.errors import MessageRefused, RefusalReason
from certfree.exchange.protocol.hops import (
    HOP_TYP,
    MAX_ITEMS,
    HopItem,
    HopResult,
    check_previous_hop,
    decode_results,
    encode_results,
    open_envelope,
    seal_envelope,
)
from certfree.exchange.protocol.registry import RegistrySnapshot
from certfree.exchange.protocol.signing import Peer

DESK, PROVINCE, CITY, MZ = "370200", "370000", "370100", "370100-MZ"
ITEM = HopItem("a.b.c", time.time() + 5)


def registry(key: PrivateSigner, status: str = "active") -> RegistrySnapshot:
    now = int(time.time())
    peers = {PROVINCE: Peer(PROVINCE, status, "https://p", {key.kid: key.verifier})}
    return RegistrySnapshot(serial=1, issued_at=now, expires_at=now + 60, peers=peers)


def refused(body: bytes, snap: RegistrySnapshot, receiver: str = CITY) -> RefusalReason:
    with pytest.raises(MessageRefused) as caught:
        open_envelope(body, snap, receiver=receiver)
    return RefusalReason(caught.value.reason)


def test_an_envelope_opens_with_its_sender_items_and_deadlines() -> None:
    key = generate_signer()
    second = HopItem("d.e.f", ITEM.deadline + 1.5)
    body = seal_envelope(key, sender=PROVINCE, receiver=CITY, items=[ITEM, second], now=time.time())
    opened = open_envelope(body, registry(key), receiver=CITY)
    assert opened.sender == PROVINCE
    assert [item.raw for item in opened.items] == ["a.b.c", "d.e.f"]
    assert [round(item.deadline, 3) for item in opened.items] == [
        round(ITEM.deadline, 3),
        round(second.deadline, 3),
    ]


def test_each_fault_of_an_envelope_has_its_reason() -> None:
    key, stranger = generate_signer(), generate_signer()
    now = time.time()
    good = registry(key)
    assert refused(
        seal_envelope(key, sender=PROVINCE, receiver=MZ, items=[ITEM], now=now), good
    ) == (RefusalReason.WRONG_RECEIVER)
    assert refused(
        seal_envelope(stranger, sender=PROVINCE, receiver=CITY, items=[ITEM], now=now), good
    ) == (RefusalReason.UNKNOWN_KID)
    assert refused(seal_envelope(key, sender=DESK, receiver=CITY, items=[ITEM], now=now), good) == (
        RefusalReason.UNKNOWN_SENDER
    )
    revoked = registry(key, "revoked")
    assert refused(
        seal_envelope(key, sender=PROVINCE, receiver=CITY, items=[ITEM], now=now), revoked
    ) == (RefusalReason.REVOKED_SENDER)
    old = seal_envelope(key, sender=PROVINCE, receiver=CITY, items=[ITEM], now=now - 600)
    assert refused(old, good) == RefusalReason.STALE_TIMESTAMP
    sealed = seal_envelope(key, sender=PROVINCE, receiver=CITY, items=[ITEM], now=now).decode()
    other = seal_envelope(key, sender=PROVINCE, receiver=CITY, items=[ITEM, ITEM], now=now)
    head, _, signature = sealed.split(".")
    forged = f"{head}.{other.decode().split('.')[1]}.{signature}"  # another payload, same seal
    assert refused(forged.encode(), good) == RefusalReason.BAD_SIGNATURE
    assert refused(b"not a jws", good) == RefusalReason.MALFORMED


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{"m": "a.b.c", "d": 1}] * (MAX_ITEMS + 1),
        [{"m": "a.b.c", "d": 1.5}],
        [{"m": "a.b.c", "d": True}],
        [{"m": 7, "d": 1}],
        [{"m": "x" * (256 * 1024 + 1), "d": 1}],
        ["a.b.c"],
    ],
    ids=["none", "too many", "float deadline", "bool deadline", "number", "too long", "bare"],
)
def test_items_of_the_wrong_shape_are_malformed(items: list[object]) -> None:
    key = generate_signer()
    payload = {"v": 1, "from": PROVINCE, "to": CITY, "iat": int(time.time()), "items": items}
    body = sign_jws(key, payload, header={"typ": HOP_TYP}).encode()
    assert refused(body, registry(key)) == RefusalReason.MALFORMED


def test_an_envelope_of_another_typ_is_malformed() -> None:
    key = generate_signer()
    payload = {"v": 1, "from": PROVINCE, "to": CITY, "iat": int(time.time()), "items": []}
    body = sign_jws(key, payload, header={"typ": "certfree-msg+jwt"}).encode()
    assert refused(body, registry(key)) == RefusalReason.MALFORMED


def test_a_message_must_come_from_the_node_before_on_its_path() -> None:
    # desk 370200 → 370000 → 370100 → 370100-MZ
    check_previous_hop(PROVINCE, DESK, DESK, MZ)
    check_previous_hop(CITY, PROVINCE, DESK, MZ)
    check_previous_hop(MZ, CITY, DESK, MZ)
    with pytest.raises(MessageRefused) as skipped:
        check_previous_hop(MZ, DESK, DESK, MZ)  # the desk posting straight to the department
    assert skipped.value.reason is RefusalReason.WRONG_HOP
    assert skipped.value.node == MZ
    assert "370100" in str(skipped.value)
    with pytest.raises(MessageRefused):
        check_previous_hop(CITY, DESK, DESK, MZ)  # skipping the province


def test_results_round_trip_in_order_and_a_wrong_count_is_refused() -> None:
    results = [
        HopResult(200, "application/jose", b"r.e.p"),
        HopResult(403, "application/problem+json", '{"title":"拒收"}'.encode()),
    ]
    assert decode_results(encode_results(results), 2) == results
    with pytest.raises(ValueError, match="must list 3"):
        decode_results(encode_results(results), 3)
    with pytest.raises(ValueError, match="status, type and body"):
        decode_results(b'{"v":1,"results":[{"status":"200","type":"x","body":""}]}', 1)
