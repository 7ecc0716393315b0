"""The registry's serial alone, signed: it grows with every change the registry shows, and a
node believes only the pinned province keys and a fresh token."""

from __future__ import annotations

import time

import pytest

from certfree.crypto import generate_signer, sign_jws
from certfree.crypto.keys import PrivateSigner
from certfree.errors import SignatureInvalid
from certfree.exchange.protocol.registry import (
    register_node,
    registry_payload,
    registry_serial,
    revoke_node,
)
from certfree.exchange.protocol.registry_serial import SERIAL_TYP, sign_serial, verify_serial
from certfree.storage import Database

PROVINCE, CITY = "370000", "370100"


def _jwks(signer: PrivateSigner) -> dict[str, object]:
    return {"keys": [signer.public_jwk()]}


def test_the_serial_grows_with_a_registration_and_a_revocation_and_matches_the_registry(
    db: Database, demo_registry: None
) -> None:
    province, city = generate_signer(), generate_signer()
    with db.session() as session:
        empty = registry_serial(session)
        register_node(
            session, PROVINCE, jwks=_jwks(province), endpoint_url="https://p", approve=True
        )
        register_node(session, CITY, jwks=_jwks(city), endpoint_url="https://c", approve=True)
        registered = registry_serial(session)
        assert registry_payload(session, PROVINCE)["serial"] == registered
        time.sleep(0.002)  # the serial counts milliseconds
        revoke_node(session, CITY)
        revoked = registry_serial(session)
        token = sign_serial(session, province)

    assert empty == 0
    assert revoked > registered > 0
    assert verify_serial(token, _jwks(province)) == revoked


def test_a_serial_of_another_key_an_old_one_or_another_document_is_refused(
    db: Database, demo_registry: None
) -> None:
    province, stranger = generate_signer(), generate_signer()
    with db.session() as session:
        token = sign_serial(session, stranger)
        stale = sign_serial(session, province, now=time.time() - 3600)
    with pytest.raises(SignatureInvalid, match="not a pinned province key"):
        verify_serial(token, _jwks(province))
    with pytest.raises(SignatureInvalid, match="too far from now"):
        verify_serial(stale, _jwks(province))
    registry_like = sign_jws(province, {"v": 1, "serial": 5, "iat": int(time.time())})
    with pytest.raises(SignatureInvalid, match="not a registry serial"):
        verify_serial(registry_like, _jwks(province))
    wrong_type = sign_jws(
        province, {"v": 1, "serial": "5", "iat": int(time.time())}, header={"typ": SERIAL_TYP}
    )
    with pytest.raises(SignatureInvalid, match="integer"):
        verify_serial(wrong_type, _jwks(province))
