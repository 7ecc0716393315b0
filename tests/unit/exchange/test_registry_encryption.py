"""The registry carries each node's encryption key (use: enc) beside its signing keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from certfree.crypto import KeyStore, sign_jws
from certfree.errors import InvalidInput
from certfree.exchange.protocol.registry import (
    register_node,
    registry_payload,
    snapshot_from_payload,
    verify_registry,
)
from certfree.storage import Database

PROVINCE, CITY = "370000", "370100"
PASSPHRASE = "registry-test-passphrase"


def _keys(tmp_path: Path, code: str) -> KeyStore:
    store = KeyStore(tmp_path / code, PASSPHRASE, scrypt_n=2**10)
    store.create("node")
    store.encryption.create("node")
    return store


def test_a_registered_encryption_key_reaches_the_peer_and_never_checks_a_signature(
    db: Database, demo_registry: None, tmp_path: Path
) -> None:
    province, city = _keys(tmp_path, PROVINCE), _keys(tmp_path, CITY)
    with db.session() as session:
        for code, store in ((PROVINCE, province), (CITY, city)):
            register_node(
                session,
                code,
                jwks=store.published_jwks("node"),
                endpoint_url=f"http://{code}.test",
                approve=True,
            )
        payload = registry_payload(session, PROVINCE)

    snap = snapshot_from_payload(payload)
    peer = snap.peer(CITY)
    assert peer is not None
    assert peer.encryption == city.encryption.active("node").public_jwk
    assert set(peer.verifiers) == {city.active("node").kid}
    # The province keys a node pins hold its signing key only, so a registry still verifies.
    assert snap.province_jwks == province.jwks("node")
    token = sign_jws(province.signer("node"), payload, header={"typ": "certfree-registry+jwt"})
    assert verify_registry(token, province.published_jwks("node")).serial == snap.serial


def test_a_jwk_set_of_encryption_keys_only_is_refused(
    db: Database, demo_registry: None, tmp_path: Path
) -> None:
    store = _keys(tmp_path, CITY)
    only_enc = {"keys": store.encryption.jwks("node")}
    broken = {"keys": [*store.jwks("node")["keys"], {"kty": "OKP", "crv": "X25519", "use": "enc"}]}
    with db.session() as session:
        with pytest.raises(InvalidInput, match="签名公钥"):
            register_node(session, CITY, jwks=only_enc, endpoint_url="http://city.test")
        with pytest.raises(InvalidInput, match="JWK Set 中的公钥不可用"):
            register_node(session, CITY, jwks=broken, endpoint_url="http://city.test")


def test_a_node_without_an_encryption_key_has_none_in_the_registry(
    db: Database, demo_registry: None, tmp_path: Path
) -> None:
    store = KeyStore(tmp_path / "plain", PASSPHRASE, scrypt_n=2**10)
    store.create("node")
    with db.session() as session:
        register_node(
            session, CITY, jwks=store.jwks("node"), endpoint_url="http://c.test", approve=True
        )
        peer = snapshot_from_payload(registry_payload(session, PROVINCE)).peer(CITY)
    assert peer is not None
    assert peer.encryption is None
