"""Private keys at rest: scrypt (RFC 7914) derives an AES-256-GCM key from the passphrase.

One format for every algorithm, since the three private keys are each 32 raw bytes (Ed25519
seed, P-256 scalar, SM2 scalar) and PKCS#8 has no encrypted form for SM2 in pyca/cryptography.
The envelope is JSON; the key id is the GCM associated data, so an envelope copied to
another kid's file, or a metadata file whose public key was swapped, fails to open.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from certfree.crypto.encoding import b64url_decode, b64url_encode
from certfree.errors import ConfigurationError, InvalidInput

__all__ = [
    "FORMAT",
    "MAX_SCRYPT_N",
    "SCRYPT_N",
    "open_private_key",
    "seal_private_key",
    "write_private_file",
]

FORMAT = "certfree-key/1"
# RFC 7914 §2 leaves the cost to the deployment; N = 2^15, r = 8, p = 1 takes ~32 MiB and
# ~0.1 s, paid once per key and process (the key store caches opened keys). N is a setting
# (``CERTFREE_KEY_SCRYPT_N``); each envelope records its own N, r and p, so a key sealed at one
# cost opens whatever the setting is now.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MAX_SCRYPT_N, _MAX_SCRYPT_RP = 2**20, 64
_SALT_SIZE, _NONCE_SIZE = 16, 12  # NIST SP 800-38D §8.2: 96-bit random nonces, one per key


def _kek(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def seal_private_key(
    private: bytes, passphrase: str, kid: str, *, scrypt_n: int = SCRYPT_N
) -> dict[str, Any]:
    """Encrypt ``private`` under ``passphrase`` for key ``kid`` at scrypt cost ``scrypt_n``
    (a power of two); JSON-ready envelope."""
    salt, nonce = secrets.token_bytes(_SALT_SIZE), secrets.token_bytes(_NONCE_SIZE)
    key = _kek(passphrase, salt, scrypt_n, SCRYPT_R, SCRYPT_P)
    ciphertext = AESGCM(key).encrypt(nonce, private, kid.encode("ascii"))
    return {
        "format": FORMAT,
        "kid": kid,
        "kdf": {
            "name": "scrypt",
            "n": scrypt_n,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": b64url_encode(salt),
        },
        "enc": "A256GCM",
        "nonce": b64url_encode(nonce),
        "ciphertext": b64url_encode(ciphertext),
    }


def open_private_key(envelope: Mapping[str, Any], passphrase: str, kid: str) -> bytes:
    """Decrypt an envelope made by ``seal_private_key`` for ``kid``.

    Raises ConfigurationError when the passphrase does not open it (or the file was altered),
    InvalidInput when the envelope is not in this format.
    """
    try:
        if envelope["format"] != FORMAT or envelope["enc"] != "A256GCM":
            raise InvalidInput(f"key file of {kid} is not in format {FORMAT}")
        kdf = envelope["kdf"]
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        # A file may carry other costs than today's, but not ones that would stall the node.
        if not (n <= MAX_SCRYPT_N and r * p <= _MAX_SCRYPT_RP):
            raise InvalidInput(f"key file of {kid} asks for scrypt N={n} r={r} p={p}")
        key = _kek(passphrase, b64url_decode(kdf["salt"]), n, r, p)
        nonce, ciphertext = b64url_decode(envelope["nonce"]), b64url_decode(envelope["ciphertext"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"key file of {kid} is damaged: {exc!r}") from exc
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, kid.encode("ascii"))
    except InvalidTag:
        raise ConfigurationError(
            f"the passphrase (CERTFREE_KEY_PASSPHRASE) does not open key {kid}; set the "
            "passphrase this key store was created with",
            field="key_passphrase",
        ) from None


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600.

    A temporary file in the same directory is written, fsynced and renamed over ``path``
    (``os.replace`` is atomic on POSIX), then the directory is fsynced so the rename
    survives a crash. Readers see the old content or the new, never a part.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)  # the umask can only narrow the mode; make it exact
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
