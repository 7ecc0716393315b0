"""The registry's serial, published on its own so that every node learns of a change in seconds.

A revocation must reach every node quickly, but the whole registry (every node's keys) is too
large to fetch every few seconds from hundreds of nodes. The province therefore also publishes
the serial alone, signed by its node key (typ ``certfree-registry-serial+jwt``, a few hundred
bytes): ``{"v":1,"serial":…,"iat":…}``. Each node asks for it every
``CERTFREE_REGISTRY_POLL_SECONDS`` (2 s by default) and fetches the registry only when the
serial has grown (:meth:`NodeDirectory.watch`).

The serial is :func:`~certfree.exchange.protocol.registry.registry_serial`: the time of the
registry's last change, in milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from certfree.crypto import Signer, sign_jws, verify_jws
from certfree.errors import SignatureInvalid
from certfree.exchange.protocol.registry import pinned_keys, registry_serial

__all__ = ["SERIAL_PATH", "SERIAL_TYP", "sign_serial", "verify_serial"]

SERIAL_PATH = "/api/v1/exchange/registry/serial"
SERIAL_TYP = "certfree-registry-serial+jwt"
_MAX_AGE = 300  # seconds: an older serial is a replay, not news


def sign_serial(session: Session, signer: Signer, *, now: float | None = None) -> str:
    """The current serial as a compact JWS of the province."""
    issued = int(now if now is not None else time.time())
    payload = {"v": 1, "serial": registry_serial(session), "iat": issued}
    return sign_jws(signer, payload, header={"typ": SERIAL_TYP})


def verify_serial(token: str, trusted_jwks: Mapping[str, Any], *, now: float | None = None) -> int:
    """The serial of a token signed by a pinned province key; SignatureInvalid otherwise
    (another key, another document, or older than five minutes)."""
    header, payload = verify_jws(token, pinned_keys(trusted_jwks))
    serial, issued = payload.get("serial"), payload.get("iat")
    if header.get("typ") != SERIAL_TYP:
        raise SignatureInvalid(f"not a registry serial (typ {header.get('typ')!r})")
    if not isinstance(serial, int) or not isinstance(issued, int):
        raise SignatureInvalid("a registry serial carries integer serial and iat")
    if abs((now if now is not None else time.time()) - issued) > _MAX_AGE:
        raise SignatureInvalid(f"registry serial issued at {issued}, too far from now")
    return serial
