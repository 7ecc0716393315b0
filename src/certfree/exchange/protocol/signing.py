"""Node messages: compact JWS (RFC 7515 §7.1) signed by the sending node, version 1.

Header ``{"alg","kid","typ":"certfree-msg+jwt"}``; payload ``{"v":1,"id","type","from","to",
"iat","nonce","reply_to","body"}`` and, in a reply signed by a node that hosts the addressed
department (``settings.hosted_departments``), ``"for"``: the department it answered for.
The body of a type the message-type table encrypts (:func:`messages.is_encrypted`) is
``{"jwe": <compact JWE of its canonical JSON>}``, encrypted to the receiver's registered key
and then signed (encrypt-then-sign): a forwarder checks the signature without a key to open
it, and only :func:`open_message` given the receiver's keys (``decrypt``) reads the body.
:func:`seal` makes one; :func:`open_message` checks one in
a fixed order and raises MessageRefused with the first reason that applies: malformed,
unsupported_version, unknown_sender, revoked_sender, unknown_kid, bad_signature,
stale_timestamp, then undecryptable for the receiver. The receiver check (wrong_receiver)
belongs to routing and replays to the reply store, since both depend on where the message is.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from certfree.crypto import (
    Jwk,
    Signer,
    Verifier,
    b64url_decode,
    canonical_json,
    encrypt_jwe,
    sign_jws,
    verify_jws,
)
from certfree.errors import CertfreeError, InvalidInput
from certfree.exchange.errors import MessageRefused, RefusalReason
from certfree.exchange.protocol.messages import (
    check_type,
    is_encrypted,
    sealed_body,
    validate_body,
)
from certfree.safejson import loads_untrusted

__all__ = [
    "MESSAGE_TYP",
    "VERSION",
    "Directory",
    "Message",
    "Peer",
    "message_sha256",
    "open_message",
    "peek_jws",
    "registered_key",
    "reveal",
    "route_of",
    "seal",
]

MESSAGE_TYP = "certfree-msg+jwt"
VERSION = 1
_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "type": str,
    "from": str,
    "to": str,
    "iat": int,
    "nonce": str,
    "body": dict,
}


@dataclass(frozen=True, slots=True)
class Peer:
    """What the registry says about a node: standing, endpoint, signing keys by kid, the
    key of its TLS certificate and the key that messages to it are encrypted to."""

    code: str
    status: str
    endpoint: str | None = None
    verifiers: Mapping[str, Verifier] = field(default_factory=dict)
    name: str | None = None
    level: str | None = None  # province, city or department
    # The key of its TLS certificate (crypto.tls.fingerprint): a sender checks the peer it
    # reached at ``endpoint`` shows this one (crypto.tls.check_peer).
    tls: str | None = None
    # Its newest ``use: enc`` JWK (crypto.jwe): what bodies sent to it are encrypted to.
    encryption: Jwk | None = None


class Directory(Protocol):
    """The registry as protocol checks see it."""

    def peer(self, code: str) -> Peer | None: ...


@dataclass(frozen=True, slots=True)
class Message:
    """An opened (verified) or freshly sealed message; ``raw`` is its compact JWS.

    ``body`` is the plaintext, except in a message a forwarder opened without decrypting
    (``readable`` False), where it is still ``{"jwe": …}``; ``ciphertext`` is the JWE the body
    travelled as, None for a type sent in the clear."""

    id: str
    type: str
    sender: str
    receiver: str
    iat: int
    nonce: str
    reply_to: str | None
    body: dict[str, Any]
    raw: str
    kid: str
    on_behalf_of: str | None = None  # payload "for": the hosted department a reply is for
    ciphertext: str | None = None
    readable: bool = True

    @property
    def speaks_for(self) -> str:
        """The node this message speaks for: the hosted department, else its sender."""
        return self.on_behalf_of or self.sender

    @property
    def sha256(self) -> str:
        return message_sha256(self.raw)

    @property
    def content_digest(self) -> str:
        """SHA-256 of what the message asks (sender, receiver, type, reply_to, body), without
        its time and nonce: a re-sealed retry with the same id has the same digest."""
        what = [self.sender, self.receiver, self.type, self.reply_to, self.body]
        return hashlib.sha256(canonical_json(what)).hexdigest()


def message_sha256(raw: str) -> str:
    """Hex SHA-256 of a message's compact JWS, as audit records and the reply store keep it."""
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def seal(
    signer: Signer,
    *,
    type: str,
    sender: str,
    receiver: str,
    body: Mapping[str, Any],
    reply_to: str | None = None,
    message_id: str | None = None,
    now: float | None = None,
    on_behalf_of: str | None = None,
    encrypt_to: Mapping[str, Any] | None = None,
) -> Message:
    """Sign a new message from ``sender`` to ``receiver``; raises InvalidInput for a bad body.

    ``on_behalf_of``: the department a hosting node answers for (the payload's ``for``).
    ``encrypt_to``: the receiver's public encryption JWK, required for a type whose body is
    encrypted; the returned message keeps the plaintext body, its ``raw`` the ciphertext."""
    validate_body(type, body)
    plain = dict(body)
    ciphertext = None
    if is_encrypted(type):
        if encrypt_to is None:
            raise InvalidInput(
                f"a {type} message is encrypted to its receiver {receiver}: give its key",
                field="encrypt_to",
            )
        ciphertext = encrypt_jwe(canonical_json(plain), encrypt_to)
    payload: dict[str, Any] = {
        "v": VERSION,
        "id": message_id or str(uuid.uuid4()),
        "type": type,
        "from": sender,
        "to": receiver,
        "iat": int(now if now is not None else time.time()),
        "nonce": secrets.token_urlsafe(12),
        "reply_to": reply_to,
        "body": plain if ciphertext is None else {"jwe": ciphertext},
    }
    if on_behalf_of is not None:
        payload["for"] = on_behalf_of
    raw = sign_jws(signer, payload, header={"typ": MESSAGE_TYP})
    sealed = _message(payload, raw, signer.kid)
    return replace(sealed, body=plain, ciphertext=ciphertext, readable=True)


def _message(payload: Mapping[str, Any], raw: str, kid: str) -> Message:
    body = payload["body"]
    ciphertext = sealed_body(body) if is_encrypted(payload["type"]) else None
    return Message(
        id=payload["id"],
        type=payload["type"],
        sender=payload["from"],
        receiver=payload["to"],
        iat=payload["iat"],
        nonce=payload["nonce"],
        reply_to=payload.get("reply_to"),
        body=payload["body"],
        raw=raw,
        kid=kid,
        on_behalf_of=payload.get("for"),
        ciphertext=ciphertext,
        readable=ciphertext is None,
    )


def _refuse(reason: RefusalReason, message: str) -> MessageRefused:
    return MessageRefused(reason, message)


def peek_jws(raw: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload before any check, to learn the sender and kid."""
    parts = raw.split(".")
    if len(parts) != 3:
        raise _refuse(
            RefusalReason.MALFORMED, f"expected a compact JWS of 3 parts, got {len(parts)}"
        )
    try:
        header = loads_untrusted(b64url_decode(parts[0]), what="header")
        payload = loads_untrusted(b64url_decode(parts[1]), what="payload")
    except (CertfreeError, ValueError) as exc:
        raise _refuse(
            RefusalReason.MALFORMED, f"header or payload is not base64url JSON ({exc})"
        ) from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise _refuse(RefusalReason.MALFORMED, "header and payload must be JSON objects")
    return header, payload


def _check_payload(header: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
    if header.get("typ") != MESSAGE_TYP:
        raise _refuse(
            RefusalReason.MALFORMED, f"typ should be {MESSAGE_TYP}, got {header.get('typ')!r}"
        )
    if "v" not in payload:
        raise _refuse(RefusalReason.MALFORMED, "payload has no version v")
    if payload["v"] != VERSION:
        raise _refuse(
            RefusalReason.UNSUPPORTED_VERSION,
            f"version {payload['v']!r}; this node speaks v{VERSION}",
        )
    for name, kind in _REQUIRED.items():
        value = payload.get(name)
        # bool is an int in Python; a JSON true is no timestamp.
        if not isinstance(value, kind) or isinstance(value, bool) or value == "":
            raise _refuse(
                RefusalReason.MALFORMED, f"payload member {name!r} is missing or of the wrong type"
            )
    if payload.get("reply_to") is not None and not isinstance(payload["reply_to"], str):
        raise _refuse(RefusalReason.MALFORMED, "reply_to must be a message id or null")
    if "for" in payload and (not isinstance(payload["for"], str) or not payload["for"]):
        raise _refuse(RefusalReason.MALFORMED, "for must be the code of a hosted department")
    try:
        uuid.UUID(payload["id"])
    except ValueError:
        raise _refuse(RefusalReason.MALFORMED, f"id {payload['id']!r} is not a UUID") from None
    if not isinstance(header.get("kid"), str):
        raise _refuse(RefusalReason.MALFORMED, "header has no kid")


def registered_key(directory: Directory, sender: str, kid: str) -> Verifier:
    """The key ``kid`` of ``sender`` if the registry lists it for an active node."""
    peer = directory.peer(sender)
    if peer is None:
        raise _refuse(RefusalReason.UNKNOWN_SENDER, f"node {sender} is not in the registry")
    if peer.status == "revoked":
        raise _refuse(RefusalReason.REVOKED_SENDER, f"node {sender} has been revoked")
    if peer.status != "active":
        raise _refuse(RefusalReason.UNKNOWN_SENDER, f"node {sender} is {peer.status}, not active")
    verifier = peer.verifiers.get(kid)
    if verifier is None:
        raise _refuse(RefusalReason.UNKNOWN_KID, f"node {sender} has no registered key {kid}")
    return verifier


def _check_claims(payload: Mapping[str, Any], now: float | None, skew: int) -> None:
    """The clock, the type and, for an encrypted type, a sealed body."""
    current = now if now is not None else time.time()
    if abs(current - payload["iat"]) > skew:
        raise _refuse(
            RefusalReason.STALE_TIMESTAMP,
            f"iat {payload['iat']} is {current - payload['iat']:+.0f} s from now; "
            f"allowed ±{skew} s",
        )
    try:
        check_type(payload["type"])
    except CertfreeError as exc:
        raise _refuse(RefusalReason.MALFORMED, str(exc)) from exc
    if is_encrypted(payload["type"]) and sealed_body(payload["body"]) is None:
        raise _refuse(
            RefusalReason.MALFORMED,
            f'body of {payload["type"]} must be encrypted to the receiver as {{"jwe": …}}',
        )


def route_of(
    raw: str, directory: Directory, *, now: float | None = None, skew: int = 120
) -> tuple[str, str]:
    """Sender and receiver of ``raw`` as a forwarding node checks it: its form, version,
    type, clock and sealed body, and the sender's standing and key in the registry, but not
    its signature, which the addressee verifies (the node that handed it over signed the hop
    envelope and answers for it). MessageRefused names the first fault."""
    header, payload = peek_jws(raw.strip())
    _check_payload(header, payload)
    registered_key(directory, payload["from"], header["kid"])
    _check_claims(payload, now, skew)
    return payload["from"], payload["to"]


def open_message(
    raw: str,
    directory: Directory,
    *,
    now: float | None = None,
    skew: int = 120,
    decrypt: Callable[[str], bytes] | None = None,
) -> Message:
    """Verify ``raw`` and return the message; MessageRefused names the first fault found.

    The signature must verify under a key that the registry lists for the ``from`` node,
    which must be active, and ``iat`` must be within ``skew`` seconds of ``now``. A body the
    message-type table encrypts must be a JWE; with ``decrypt`` (the receiver's key store) it
    is decrypted and checked, without (a forwarder) it stays sealed (see :func:`reveal`).
    """
    header, payload = peek_jws(raw.strip())
    _check_payload(header, payload)
    sender, kid = payload["from"], header["kid"]
    verifier = registered_key(directory, sender, kid)

    try:
        _, signed = verify_jws(raw.strip(), lambda _kid: verifier)  # the header's kid
    except CertfreeError as exc:
        raise _refuse(
            RefusalReason.BAD_SIGNATURE, f"signature of {sender} key {kid}: {exc.message}"
        ) from exc
    _check_claims(signed, now, skew)
    message = _message(signed, raw.strip(), kid)
    if message.readable:
        _check_body(message.type, message.body)
        return message
    return message if decrypt is None else reveal(message, decrypt)


def _check_body(type_: str, body: Mapping[str, Any]) -> None:
    try:
        validate_body(type_, body)
    except CertfreeError as exc:
        raise _refuse(RefusalReason.MALFORMED, f"body of {type_}: {exc}") from exc


def reveal(message: Message, decrypt: Callable[[str], bytes]) -> Message:
    """``message`` with its body decrypted by ``decrypt`` (the receiver's key store) and
    checked; MessageRefused(undecryptable) if it is not for these keys or was altered."""
    if message.readable or message.ciphertext is None:
        return message
    try:
        plain = loads_untrusted(decrypt(message.ciphertext), what="body")
    except (CertfreeError, ValueError) as exc:
        detail = exc.message if isinstance(exc, CertfreeError) else str(exc)
        raise _refuse(
            RefusalReason.UNDECRYPTABLE, f"body of {message.type} from {message.sender}: {detail}"
        ) from exc
    if not isinstance(plain, dict):
        raise _refuse(RefusalReason.MALFORMED, f"body of {message.type} is not a JSON object")
    _check_body(message.type, plain)
    return replace(message, body=plain, readable=True)
