"""KeyStore keeps parsed key metadata between token checks, yet sees every change on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from certfree.crypto import KeyStatus, KeyStore, sign_jws
from certfree.errors import ConfigurationError, SignatureInvalid

PASSPHRASE = "correct horse battery staple"


def test_unchanged_metadata_is_not_parsed_again(tmp_path: Path) -> None:
    store = KeyStore(tmp_path, PASSPHRASE)
    kid = store.create("node").kid
    assert store.info(kid) is store.info(kid)
    assert store.active("node") is store.info(kid)


def test_a_key_retired_by_another_process_is_seen_retired_at_once(tmp_path: Path) -> None:
    worker_a, worker_b = KeyStore(tmp_path, PASSPHRASE), KeyStore(tmp_path, PASSPHRASE)
    old = worker_a.create("node")
    old_token = sign_jws(worker_a.signer("node"), {"n": 1})
    assert worker_a.verify_jws(old_token)[0]["kid"] == old.kid  # A has the old key cached
    new = worker_b.rotate("node")
    assert worker_a.info(old.kid).status is KeyStatus.RETIRED
    assert worker_a.active("node").kid == new.kid
    assert [key.kid for key in worker_a.keys("node")] == [old.kid, new.kid]
    assert worker_a.verify_jws(old_token)[1] == {"n": 1}  # a retired key still verifies
    assert worker_a.verify_jws(sign_jws(worker_b.signer("node"), {"n": 2}))[1] == {"n": 2}


def test_a_removed_key_stops_verifying_at_once(tmp_path: Path) -> None:
    store = KeyStore(tmp_path, PASSPHRASE)
    kid = store.create("node").kid
    token = sign_jws(store.signer("node"), {})
    store.verify_jws(token)
    (tmp_path / f"{kid}.json").unlink()
    with pytest.raises(SignatureInvalid, match=f"unknown kid {kid}"):
        store.verify_jws(token)
    assert store.keys() == []


def test_metadata_damaged_after_it_was_read_is_reported(tmp_path: Path) -> None:
    store = KeyStore(tmp_path, PASSPHRASE)
    kid = store.create("node").kid
    store.info(kid)
    (tmp_path / f"{kid}.json").write_text("{}")  # rewritten in place: same inode
    with pytest.raises(ConfigurationError, match="restore it from backup"):
        store.info(kid)
