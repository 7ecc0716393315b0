"""Who this node is on the exchange: its code and settings, the keys it signs with and the
encryption key that bodies sent to it are encrypted to (``crypto.jwe``).

The key store is re-read every 30 s, so a key rotated by another process (``certfree keys
rotate``) signs the next messages without a restart.
"""

from __future__ import annotations

import time

from certfree.auth import NODE_KEY_OWNER
from certfree.crypto import Jwk, KeyStore, Signer
from certfree.exchange.protocol.signing import Peer
from certfree.settings import Settings

__all__ = ["NodeIdentity"]

_KEY_CACHE_SECONDS = 30.0  # re-read the key store now and then: rotation by another process


class NodeIdentity:
    """This node's code, settings and node keys (the signer and its own registry entry)."""

    def __init__(self, settings: Settings, keys: KeyStore) -> None:
        self.settings = settings
        self.keys = keys
        self.code = settings.node_code
        self._signer: tuple[float, Signer] | None = None
        self._encryption: tuple[float, Jwk] | None = None
        self._own: tuple[float, Peer] | None = None

    def signer(self) -> Signer:
        """The node's active signing key, re-read from the key store every 30 s."""
        now = time.monotonic()
        if self._signer is None or now - self._signer[0] > _KEY_CACHE_SECONDS:
            self._signer = (now, self.keys.signer(NODE_KEY_OWNER))
        return self._signer[1]

    def encryption_key(self) -> Jwk:
        """The node's public encryption JWK (``use: enc``), re-read every 30 s: what a message
        it sends itself, for a department it hosts, is encrypted to. A development node without
        one gets one, as ``certfree serve`` gives it a signing key."""
        now = time.monotonic()
        if self._encryption is None or now - self._encryption[0] > _KEY_CACHE_SECONDS:
            store = self.keys.encryption
            if self.settings.is_development and not store.keys(NODE_KEY_OWNER):
                info = store.ensure(NODE_KEY_OWNER)
            else:
                info = store.active(NODE_KEY_OWNER)
            self._encryption = (now, dict(info.public_jwk))
        return self._encryption[1]

    def decrypt(self, token: str) -> bytes:
        """Open a JWE sent to this node (or to a department it hosts) with the key its ``kid``
        names in the key store, a retired one included."""
        return self.keys.encryption.decrypt(token)

    def own_peer(self) -> Peer:
        """This node as a registry entry, with every node key in its key store (re-read every
        30 s): what the replies it signs for its hosted departments verify against."""
        now = time.monotonic()
        if self._own is None or now - self._own[0] > _KEY_CACHE_SECONDS:
            verifiers = {
                info.kid: self.keys.verifier(info.kid) for info in self.keys.keys(NODE_KEY_OWNER)
            }
            own = Peer(self.code, "active", None, verifiers, self.settings.node_name)
            self._own = (now, own)
        return self._own[1]
