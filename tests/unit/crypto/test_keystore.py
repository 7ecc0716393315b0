"""KeyStore: per-owner keys on disk, encrypted at rest, rotation, shared by processes."""

from __future__ import annotations

import json
import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from certfree.crypto import Alg, KeyStatus, KeyStore, b64url_encode, sign_jws
from certfree.errors import ConfigurationError, Conflict, KeyNotFound, SignatureInvalid

PASSPHRASE = "correct horse battery staple"
USCC = "91370100MA3C5EXA4T"  # an issuer owner, as a USCC


class Clock:
    """A settable clock, so created_at/retired_at are predictable."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 8, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> KeyStore:
    return KeyStore(tmp_path / "keys", PASSPHRASE, clock=clock)


def test_create_writes_metadata_and_signs(store: KeyStore) -> None:
    info = store.create("node")
    assert (info.alg, info.owner, info.status) == (Alg.EdDSA, "node", KeyStatus.ACTIVE)
    metadata = json.loads((store.directory / f"{info.kid}.json").read_text())
    assert metadata == {
        "kid": info.kid,
        "alg": "EdDSA",
        "owner": "node",
        "status": "active",
        "created_at": "2026-05-01T08:00:00.000000Z",
        "retired_at": None,
        "public_jwk": info.public_jwk,
    }
    header, payload = store.verify_jws(sign_jws(store.signer("node"), {"iss": "370000"}))
    assert header["kid"] == info.kid
    assert payload == {"iss": "370000"}


def test_metadata_in_whole_seconds_from_older_releases_still_loads(store: KeyStore) -> None:
    info = store.create("node")
    path = store.directory / f"{info.kid}.json"
    metadata = json.loads(path.read_text())
    path.write_text(json.dumps(metadata | {"created_at": "2026-05-01T08:00:00Z"}))
    assert KeyStore(store.directory, PASSPHRASE).info(info.kid).created_at == info.created_at


@pytest.mark.parametrize("alg", list(Alg))
def test_keys_of_every_alg_survive_a_new_process(tmp_path: Path, alg: Alg) -> None:
    info = KeyStore(tmp_path, PASSPHRASE).create(USCC, alg)
    fresh = KeyStore(tmp_path, PASSPHRASE)  # another process: nothing cached
    signer = fresh.signer(USCC)
    assert (signer.kid, signer.alg) == (info.kid, alg)
    _, payload = fresh.verify_jws(sign_jws(signer, {"x": 1}))
    assert payload == {"x": 1}


def test_second_create_is_refused_with_the_rotate_command(store: KeyStore) -> None:
    info = store.create("node")
    with pytest.raises(Conflict, match=f"already has active key {info.kid}") as caught:
        store.create("node", Alg.SM2)
    assert "certfree keys rotate --owner node" in caught.value.message


def test_signer_for_an_owner_without_keys_says_how_to_create_one(store: KeyStore) -> None:
    with pytest.raises(KeyNotFound, match=r"`certfree keys create --owner node`"):
        store.signer("node")


def test_rotate_retires_the_old_key_which_still_verifies(store: KeyStore, clock: Clock) -> None:
    old = store.create("node")
    old_token = sign_jws(store.signer("node"), {"n": 1})
    clock.now = datetime(2026, 6, 1, 9, 30, 0, tzinfo=UTC)
    new = store.rotate("node", Alg.SM2)

    assert new.kid != old.kid
    assert new.alg is Alg.SM2
    by_kid = {info.kid: info for info in store.keys("node")}
    assert by_kid[old.kid].status is KeyStatus.RETIRED
    assert by_kid[old.kid].retired_at == clock.now
    assert by_kid[new.kid].status is KeyStatus.ACTIVE
    assert store.verify_jws(old_token)[1] == {"n": 1}
    new_token = sign_jws(store.signer("node"), {"n": 2})
    assert store.verify_jws(new_token)[0]["kid"] == new.kid
    assert store.verify_jws(new_token)[0]["alg"] == "SM2"


def test_rotate_keeps_the_alg_unless_told(store: KeyStore) -> None:
    store.create("node", Alg.ES256)
    assert store.rotate("node").alg is Alg.ES256


def test_rotate_without_a_key_says_how_to_create_one(store: KeyStore) -> None:
    with pytest.raises(KeyNotFound, match="certfree keys create --owner node"):
        store.rotate("node")


def test_jwks_lists_active_and_retired_keys(store: KeyStore, clock: Clock) -> None:
    first = store.create("node")
    clock.now = clock.now.replace(hour=9)
    second = store.rotate("node")
    issuer = store.create(USCC, Alg.SM2)
    assert [k["kid"] for k in store.jwks("node")["keys"]] == [first.kid, second.kid]
    assert {k["kid"] for k in store.jwks()["keys"]} == {first.kid, second.kid, issuer.kid}
    assert store.public_jwk(issuer.kid)["crv"] == "SM2"
    assert all("d" not in key for key in store.jwks()["keys"])


def test_rotation_by_another_process_is_seen_at_once(tmp_path: Path) -> None:
    worker_a, worker_b = KeyStore(tmp_path, PASSPHRASE), KeyStore(tmp_path, PASSPHRASE)
    worker_a.create("node")
    assert worker_b.signer("node").kid == worker_a.signer("node").kid
    new = worker_b.rotate("node")
    assert worker_a.signer("node").kid == new.kid
    assert worker_a.verify_jws(sign_jws(worker_b.signer("node"), {}))[0]["kid"] == new.kid


@pytest.mark.parametrize("alg", list(Alg))
def test_private_key_is_encrypted_at_rest(tmp_path: Path, alg: Alg) -> None:
    store = KeyStore(tmp_path, PASSPHRASE)
    info = store.create("node", alg)
    # The store hands out a Signer; the concrete class can reveal the key to this test.
    private = store.signer("node").private_bytes()  # type: ignore[attr-defined]
    on_disk = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    for form in (private, private.hex().encode(), b64url_encode(private).encode(), b"PRIVATE KEY"):
        assert form not in on_disk
    envelope = json.loads((tmp_path / f"{info.kid}.key").read_text())
    assert envelope["kdf"]["name"] == "scrypt"
    assert envelope["enc"] == "A256GCM"


def test_a_key_file_records_its_scrypt_cost_and_opens_at_any_setting(tmp_path: Path) -> None:
    """RFC 7914 §2: N, r and p travel with the salt, so changing CERTFREE_KEY_SCRYPT_N never
    locks out a key sealed before."""
    cheap = KeyStore(tmp_path / "cheap", PASSPHRASE, scrypt_n=2**4).create("node")
    default = KeyStore(tmp_path / "default", PASSPHRASE).create("node")
    for directory, info, n in (("cheap", cheap, 2**4), ("default", default, 2**15)):
        envelope = json.loads((tmp_path / directory / f"{info.kid}.key").read_text())
        assert (envelope["kdf"]["n"], envelope["kdf"]["r"], envelope["kdf"]["p"]) == (n, 8, 1)
        for setting in (2**4, 2**15, 2**16):
            opened = KeyStore(tmp_path / directory, PASSPHRASE, scrypt_n=setting)
            token = sign_jws(opened.signer("node"), {"n": n})
            assert opened.verify_jws(token)[0]["kid"] == info.kid
        with pytest.raises(ConfigurationError, match="does not open key"):
            KeyStore(tmp_path / directory, "not the passphrase", scrypt_n=n).signer("node")


def test_wrong_passphrase_names_the_variable_and_the_key(tmp_path: Path) -> None:
    info = KeyStore(tmp_path, PASSPHRASE).create("node")
    with pytest.raises(ConfigurationError) as caught:
        KeyStore(tmp_path, "not the passphrase").signer("node")
    assert caught.value.message.startswith(
        f"the passphrase (CERTFREE_KEY_PASSPHRASE) does not open key {info.kid}"
    )


def test_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="CERTFREE_KEY_PASSPHRASE is empty"):
        KeyStore(tmp_path, "")


def test_files_are_private_to_the_owner(store: KeyStore) -> None:
    info = store.create("node")
    store.rotate("node")
    for path in (store.directory / f"{info.kid}.json", store.directory / f"{info.kid}.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    assert not list(store.directory.glob("*.tmp"))


def test_kid_from_a_token_never_reaches_the_file_system(store: KeyStore) -> None:
    store.create("node")
    with pytest.raises(KeyNotFound, match="is not a key id of this store"):
        store.public_jwk("../../etc/passwd")
    head = b64url_encode(b'{"alg":"EdDSA","kid":"../keys/x"}')
    with pytest.raises(SignatureInvalid, match=re.escape("unknown kid ../keys/x")):
        store.verify_jws(f"{head}.e30.AA")


def test_unknown_kid_is_key_not_found(store: KeyStore) -> None:
    with pytest.raises(KeyNotFound, match="no key"):
        store.public_jwk("A" * 43)


def test_an_altered_key_file_does_not_open(store: KeyStore, tmp_path: Path) -> None:
    first = store.create("node")
    second = store.create(USCC)
    # Copying one key's envelope over another's: the kid is the GCM associated data.
    (store.directory / f"{second.kid}.key").write_bytes(
        (store.directory / f"{first.kid}.key").read_bytes()
    )
    with pytest.raises(ConfigurationError, match=f"does not open key {second.kid}"):
        KeyStore(store.directory, PASSPHRASE).signer(USCC)


@pytest.mark.parametrize("owner", ["", " node", "a\nb"])
def test_owner_must_be_plain_text(store: KeyStore, owner: str) -> None:
    with pytest.raises(Exception, match="owner"):
        store.create(owner)
