"""An owner's key-agreement keys for JWE (``crypto.jwe``), beside its signing keys.

They live in ``<key_dir>/enc/`` so that everything that lists signing keys (trust lists, the
``/.well-known/jwks.json`` of the seal, the key-rotation commands) never meets one. Same
layout and protection as :mod:`certfree.crypto.keystore`: ``<kid>.json`` metadata,
``<kid>.key`` the 32 private bytes sealed by ``envelope`` (scrypt + AES-256-GCM, the kid as
associated data), files 0600 written atomically, ``.lock`` held while creating or rotating.
An owner has at most one active key; a rotated key is retired but still opens the messages
that were encrypted to it while it was published.
"""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from certfree.crypto.algorithms import Jwk
from certfree.crypto.encoding import canonical_json
from certfree.crypto.envelope import (
    SCRYPT_N,
    open_private_key,
    seal_private_key,
    write_private_file,
)
from certfree.crypto.jwe import EncryptionKey, decrypt
from certfree.errors import ConfigurationError, Conflict, InvalidInput, KeyNotFound

__all__ = ["EncryptionKeyInfo", "EncryptionKeys"]

_KID = re.compile(r"[A-Za-z0-9_-]{43}")  # RFC 7638 SHA-256 thumbprint; never another path
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True, slots=True)
class EncryptionKeyInfo:
    """What the store knows about one encryption key, without its private part."""

    kid: str
    crv: str
    owner: str
    status: str  # active or retired, as KeyStatus of the signing keys
    created_at: datetime
    public_jwk: Jwk
    retired_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "crv": self.crv,
            "owner": self.owner,
            "status": self.status,
            "created_at": self.created_at.strftime(_TIME_FORMAT),
            "retired_at": self.retired_at.strftime(_TIME_FORMAT) if self.retired_at else None,
            "public_jwk": self.public_jwk,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EncryptionKeyInfo:
        def when(text: str) -> datetime:
            return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)

        retired = data.get("retired_at")
        return cls(
            kid=str(data["kid"]),
            crv=str(data["crv"]),
            owner=str(data["owner"]),
            status=str(data["status"]),
            created_at=when(data["created_at"]),
            public_jwk={str(k): str(v) for k, v in dict(data["public_jwk"]).items()},
            retired_at=when(retired) if retired else None,
        )


class EncryptionKeys:
    """Per-owner X25519 (or P-256) keys in ``directory``, sealed with ``passphrase``."""

    def __init__(self, directory: Path, passphrase: str, *, scrypt_n: int = SCRYPT_N) -> None:
        self.directory = Path(directory)
        self._passphrase = passphrase
        self._scrypt_n = scrypt_n
        self._opened: dict[str, EncryptionKey] = {}  # cannot change for a kid

    def _path(self, kid: str, suffix: str) -> Path:
        if not _KID.fullmatch(kid):
            raise KeyNotFound(f"{kid!r} is not a key id of this store (RFC 7638 thumbprint)")
        return self.directory / f"{kid}.{suffix}"

    def _read(self, path: Path) -> EncryptionKeyInfo:
        try:
            return EncryptionKeyInfo.from_json(json.loads(path.read_bytes()))
        except (KeyError, ValueError, TypeError) as exc:
            raise ConfigurationError(
                f"key metadata {path} is unreadable ({exc!r}); restore it from backup"
            ) from exc

    def keys(self, owner: str | None = None) -> list[EncryptionKeyInfo]:
        """Every encryption key (of ``owner``), active and retired, oldest first."""
        if not self.directory.is_dir():
            return []
        infos = []
        for path in self.directory.glob("*.json"):
            try:
                infos.append(self._read(path))
            except FileNotFoundError:  # removed between glob and read
                continue
        found = [info for info in infos if owner is None or info.owner == owner]
        return sorted(found, key=lambda info: (info.created_at, info.kid))

    def active(self, owner: str) -> EncryptionKeyInfo:
        """The key peers encrypt to for ``owner``; KeyNotFound says how to create one."""
        active = [info for info in self.keys(owner) if info.status == "active"]
        if not active:
            raise KeyNotFound(
                f"owner {owner!r} has no active encryption key in {self.directory}; "
                f"run `certfree keys create-encryption --owner {owner}`"
            )
        return active[-1]

    def jwks(self, owner: str) -> list[Jwk]:
        """The public JWKs (``use: enc``) of ``owner``'s keys, the active one last."""
        return [dict(info.public_jwk) for info in self.keys(owner)]

    def key(self, kid: str) -> EncryptionKey:
        """The opened private key ``kid``; KeyNotFound if this store has none,
        ConfigurationError if the passphrase does not open it."""
        cached = self._opened.get(kid)
        if cached is not None:
            return cached
        meta = self._path(kid, "json")
        try:
            info = self._read(meta)
            envelope = json.loads(self._path(kid, "key").read_bytes())
        except FileNotFoundError:
            raise KeyNotFound(f"no encryption key {kid} in {self.directory}") from None
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"key file of {kid} is unreadable ({exc!r})") from exc
        private = open_private_key(envelope, self._passphrase, kid)
        try:
            opened = EncryptionKey(info.crv, private)
        except InvalidInput as exc:
            raise ConfigurationError(f"encryption key {kid} is damaged: {exc}") from exc
        if opened.kid != kid:
            raise ConfigurationError(f"metadata of key {kid} holds another key's public JWK")
        self._opened[kid] = opened
        return opened

    def decrypt(self, token: str) -> bytes:
        """``jwe.decrypt`` with the key of this store that the token's ``kid`` names."""
        return decrypt(token, self.key)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with (self.directory / ".lock").open("a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _add(self, owner: str, crv: str) -> EncryptionKeyInfo:
        key = EncryptionKey.generate(crv)
        envelope = seal_private_key(
            key.private_bytes(), self._passphrase, key.kid, scrypt_n=self._scrypt_n
        )
        write_private_file(self._path(key.kid, "key"), canonical_json(envelope))
        info = EncryptionKeyInfo(key.kid, crv, owner, "active", datetime.now(UTC), key.public_jwk())
        write_private_file(self._path(key.kid, "json"), canonical_json(info.to_json()))
        self._opened[key.kid] = key
        return info

    def create(self, owner: str, crv: str = "X25519") -> EncryptionKeyInfo:
        """A first active encryption key for ``owner``; Conflict if it has one."""
        with self._locked():
            current = [k for k in self.keys(owner) if k.status == "active"]
            if current:
                raise Conflict(f"owner {owner!r} already has encryption key {current[-1].kid}")
            return self._add(owner, crv)

    def ensure(self, owner: str, crv: str = "X25519") -> EncryptionKeyInfo:
        """The active encryption key of ``owner``, created now if it has none."""
        with self._locked():
            current = [k for k in self.keys(owner) if k.status == "active"]
            return current[-1] if current else self._add(owner, crv)

    def rotate(self, owner: str) -> EncryptionKeyInfo:
        """A new active key for ``owner`` (same curve); the previous one is retired but still
        decrypts what was encrypted to it. KeyNotFound if the owner has none yet."""
        with self._locked():
            previous = self.active(owner)
            new = self._add(owner, previous.crv)
            retired_at = datetime.now(UTC)
            for old in [k for k in self.keys(owner) if k.status == "active" and k.kid != new.kid]:
                retired = replace(old, status="retired", retired_at=retired_at)
                write_private_file(self._path(old.kid, "json"), canonical_json(retired.to_json()))
            return new
