"""The node's signing keys on disk, per owner, encrypted at rest, shared by worker processes.

Layout of the key directory (mode 0700; files 0600, written atomically)::

    <kid>.json   metadata: kid, alg, owner, status, created_at, retired_at, public_jwk
    <kid>.key    the private key, sealed by ``envelope`` (scrypt + AES-256-GCM); never changes
    .lock        flock(2) taken while creating or rotating, so two processes cannot race
    enc/         the owners' encryption keys for JWE, same layout (``encryption_keys``)

Every call looks at the metadata again, so a rotation by another process is seen at once:
one stat(2) per file, and the file is read and parsed again only when its inode, mtime or
size differ from the last read (every write replaces the file, see ``write_private_file``).
Besides that parsed metadata, only what cannot change for a kid (its opened private key, its
public key) is cached.
"""

from __future__ import annotations

import enum
import fcntl
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from certfree.crypto.algorithms import Alg, Jwk, Signer, Verifier
from certfree.crypto.encoding import canonical_json
from certfree.crypto.encryption_keys import EncryptionKeys
from certfree.crypto.envelope import (
    SCRYPT_N,
    open_private_key,
    seal_private_key,
    write_private_file,
)
from certfree.crypto.jws import verify_jws
from certfree.crypto.keys import PrivateSigner, generate_signer, load_signer, verifier_from_jwk
from certfree.errors import ConfigurationError, Conflict, InvalidInput, KeyNotFound

__all__ = ["KeyInfo", "KeyStatus", "KeyStore"]

# An RFC 7638 SHA-256 thumbprint is 43 base64url characters; anything else is not our kid
# and must never reach a path (a kid comes from untrusted JWS headers).
_KID = re.compile(r"[A-Za-z0-9_-]{43}")
# ISO 8601, UTC, with microseconds so that two keys made within one second keep their order
# ("oldest first"); files written before carry whole seconds and still parse.
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_OLD_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# What identifies one version of a metadata file: inode, mtime in ns, size.
_Stamp = tuple[int, int, int]


class KeyStatus(enum.StrEnum):
    """A key signs while active; once retired it only verifies what it signed before."""

    ACTIVE = "active"
    RETIRED = "retired"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def _parse_time(text: str) -> datetime:
    layout = _TIME_FORMAT if "." in text else _OLD_TIME_FORMAT
    return datetime.strptime(text, layout).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What the key store knows about one key, without its private part."""

    kid: str
    alg: Alg
    owner: str
    status: KeyStatus
    created_at: datetime
    retired_at: datetime | None
    public_jwk: Jwk

    def to_json(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "alg": self.alg.value,
            "owner": self.owner,
            "status": self.status.value,
            "created_at": _format_time(self.created_at),
            "retired_at": _format_time(self.retired_at) if self.retired_at else None,
            "public_jwk": self.public_jwk,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyInfo:
        """Parse a metadata document; KeyError/ValueError/TypeError if it is not one."""
        retired = data.get("retired_at")
        return cls(
            kid=str(data["kid"]),
            alg=Alg(data["alg"]),
            owner=str(data["owner"]),
            status=KeyStatus(data["status"]),
            created_at=_parse_time(data["created_at"]),
            retired_at=_parse_time(retired) if retired else None,
            public_jwk={str(k): str(v) for k, v in dict(data["public_jwk"]).items()},
        )


class KeyStore:
    """Per-owner signing keys in ``directory``, private keys sealed with ``passphrase``.

    An owner is a string such as ``"node"`` or an issuer's USCC. Each owner has at most one
    active key; rotation retires the previous one, which stays listed and verifiable.
    """

    def __init__(
        self,
        directory: Path,
        passphrase: str,
        *,
        clock: Callable[[], datetime] = _utc_now,
        scrypt_n: int = SCRYPT_N,
    ) -> None:
        if not passphrase:
            raise ConfigurationError(
                "CERTFREE_KEY_PASSPHRASE is empty; set the passphrase of the key store",
                field="key_passphrase",
            )
        self.directory = Path(directory)
        self._passphrase = passphrase
        self._clock = clock
        self._scrypt_n = scrypt_n  # the cost of keys sealed from now on; each file keeps its own
        self._signers: dict[str, PrivateSigner] = {}
        self._verifiers: dict[str, Verifier] = {}
        # Parsed metadata by file, with the stamp of the file it was read from. Public data
        # only; a bearer-token check is then one stat(2) instead of open, read, JSON, strptime.
        self._infos: dict[Path, tuple[_Stamp, KeyInfo]] = {}
        # Key-agreement keys for JWE, in a directory of their own: nothing that lists signing
        # keys meets one (see certfree.crypto.encryption_keys).
        self.encryption = EncryptionKeys(self.directory / "enc", passphrase, scrypt_n=scrypt_n)

    # -- reading ----------------------------------------------------------------------------

    def _meta_path(self, kid: str) -> Path:
        if not _KID.fullmatch(kid):
            raise KeyNotFound(f"{kid!r} is not a key id of this store (RFC 7638 thumbprint)")
        return self.directory / f"{kid}.json"

    def _read_info(self, path: Path) -> KeyInfo:
        """The metadata in ``path``, parsed again only if the file changed since the last read.

        Raises FileNotFoundError if the file is gone (the key was removed).
        """
        try:
            status = os.stat(path)
        except FileNotFoundError:
            self._infos.pop(path, None)
            raise
        except OSError as exc:
            raise ConfigurationError(
                f"key metadata {path} is unreadable ({exc!r}); restore it from backup"
            ) from exc
        # Writers replace the file (new inode) and a rewrite changes its size (active →
        # retired adds retired_at), so this stamp differs whenever the content does, even
        # within one tick of a coarse file-system clock. Stat before reading: if the file
        # is replaced in between, the stored stamp is the older one and the next call reads
        # again, never the reverse.
        stamp = (status.st_ino, status.st_mtime_ns, status.st_size)
        cached = self._infos.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            info = KeyInfo.from_json(json.loads(path.read_bytes()))
        except FileNotFoundError:
            self._infos.pop(path, None)
            raise
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise ConfigurationError(
                f"key metadata {path} is unreadable ({exc!r}); restore it from backup"
            ) from exc
        self._infos[path] = (stamp, info)
        return info

    def _all(self) -> list[KeyInfo]:
        if not self.directory.is_dir():
            return []
        infos = []
        for path in self.directory.glob("*.json"):
            try:
                infos.append(self._read_info(path))
            except FileNotFoundError:  # removed between glob and read
                continue
        return sorted(infos, key=lambda info: (info.created_at, info.kid))

    def info(self, kid: str) -> KeyInfo:
        """Metadata of key ``kid``; KeyNotFound if this store has no such key."""
        try:
            return self._read_info(self._meta_path(kid))
        except FileNotFoundError:
            raise KeyNotFound(f"no key {kid} in {self.directory}") from None

    def keys(self, owner: str | None = None) -> list[KeyInfo]:
        """Every key (of ``owner``, if given), active and retired, oldest first."""
        return [info for info in self._all() if owner is None or info.owner == owner]

    def active(self, owner: str) -> KeyInfo:
        """The active key of ``owner``; KeyNotFound says how to create one."""
        active = [info for info in self.keys(owner) if info.status is KeyStatus.ACTIVE]
        if not active:
            raise KeyNotFound(
                f"owner {owner!r} has no active signing key in {self.directory}; "
                f"run `certfree keys create --owner {owner}`"
            )
        # Between the two writes of a rotation both keys are active; the newer one wins.
        return active[-1]

    def public_jwk(self, kid: str) -> Jwk:
        """The public JWK of key ``kid`` (active or retired); KeyNotFound if unknown."""
        return dict(self.info(kid).public_jwk)

    def jwks(self, owner: str | None = None) -> dict[str, list[Jwk]]:
        """RFC 7517 §5 JWK Set of every active and retired key (of ``owner``, if given)."""
        return {"keys": [dict(info.public_jwk) for info in self.keys(owner)]}

    def published_jwks(self, owner: str) -> dict[str, list[Jwk]]:
        """What ``owner`` registers with its peers: the JWK Set of its signing keys and, beside
        them, its encryption keys (``use: enc``, RFC 7517 §4.2) that peers encrypt to."""
        return {"keys": self.jwks(owner)["keys"] + self.encryption.jwks(owner)}

    def verifier(self, kid: str) -> Verifier:
        """A verifier for key ``kid``, active or retired; KeyNotFound if unknown."""
        info = self.info(kid)  # looked up again: the key must still exist
        verifier = self._verifiers.get(kid)
        if verifier is None:
            verifier = verifier_from_jwk(info.public_jwk)
            if verifier.kid != kid:
                raise ConfigurationError(f"metadata of key {kid} holds another key's public JWK")
            self._verifiers[kid] = verifier
        return verifier

    def verify_jws(self, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """``jws.verify_jws`` with the key named by the token's kid taken from this store."""
        return verify_jws(token, self.verifier)

    def signer(self, owner: str) -> Signer:
        """A Signer with the current active key of ``owner``.

        Raises KeyNotFound (how to create a key) or ConfigurationError (wrong passphrase).
        """
        info = self.active(owner)
        signer = self._signers.get(info.kid)
        if signer is None:
            signer = self._signers[info.kid] = self._open(info)
        return signer

    def _open(self, info: KeyInfo) -> PrivateSigner:
        path = self.directory / f"{info.kid}.key"
        try:
            envelope = json.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"private key file {path} of key {info.kid} is missing or unreadable ({exc!r})"
            ) from exc
        private = open_private_key(envelope, self._passphrase, info.kid)
        try:
            return load_signer(info.alg, private, info.public_jwk)
        except InvalidInput as exc:
            raise ConfigurationError(f"key {info.kid} is damaged: {exc}") from exc

    # -- writing ----------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with (self.directory / ".lock").open("a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _check_passphrase(self) -> None:
        """Refuse to seal a new key under a passphrase that does not open the existing ones.

        Otherwise a mistyped CERTFREE_KEY_PASSPHRASE would leave a store whose keys need
        different passphrases. Costs one scrypt per create or rotate.
        """
        existing = self._all()
        if existing and existing[-1].kid not in self._signers:
            self._signers[existing[-1].kid] = self._open(existing[-1])

    def _write_info(self, info: KeyInfo) -> None:
        write_private_file(self.directory / f"{info.kid}.json", canonical_json(info.to_json()))

    def _add(self, owner: str, alg: Alg) -> KeyInfo:
        signer = generate_signer(alg)
        envelope = seal_private_key(
            signer.private_bytes(), self._passphrase, signer.kid, scrypt_n=self._scrypt_n
        )
        write_private_file(self.directory / f"{signer.kid}.key", canonical_json(envelope))
        info = KeyInfo(
            kid=signer.kid,
            alg=alg,
            owner=owner,
            status=KeyStatus.ACTIVE,
            created_at=self._clock(),
            retired_at=None,
            public_jwk=signer.public_jwk(),
        )
        self._write_info(info)  # the key exists for readers once its metadata does
        self._signers[info.kid] = signer
        return info

    @staticmethod
    def _check_owner(owner: str) -> str:
        if not owner or owner != owner.strip() or not owner.isprintable():
            raise InvalidInput(
                f"owner {owner!r} must be non-empty printable text without outer spaces",
                field="owner",
            )
        return owner

    def create(self, owner: str, alg: Alg = Alg.EdDSA) -> KeyInfo:
        """A first active key for ``owner``.

        Raises Conflict if the owner already has an active key (rotate it instead), and
        ConfigurationError if the passphrase does not open the keys already in the store.
        """
        self._check_owner(owner)
        with self._locked():
            self._check_passphrase()
            current = [k for k in self.keys(owner) if k.status is KeyStatus.ACTIVE]
            if current:
                raise Conflict(
                    f"owner {owner!r} already has active key {current[-1].kid}; "
                    f"run `certfree keys rotate --owner {owner}` to replace it"
                )
            return self._add(owner, Alg(alg))

    def rotate(self, owner: str, alg: Alg | None = None) -> KeyInfo:
        """A new active key for ``owner`` (same alg unless given); the old ones are retired.

        Retired keys keep verifying tokens they signed. Raises KeyNotFound if the owner has
        no active key yet (create one first), ConfigurationError on a wrong passphrase.
        """
        self._check_owner(owner)
        with self._locked():
            previous = self.active(owner)
            self._check_passphrase()
            others = [k for k in self.keys(owner) if k.status is KeyStatus.ACTIVE]
            new = self._add(owner, Alg(alg) if alg else previous.alg)
            retired_at = self._clock()
            for old in others:
                self._write_info(replace(old, status=KeyStatus.RETIRED, retired_at=retired_at))
            return new
