"""The province trust list (信任列表): which public keys seal certificates for which issuer.

A trust list maps each issuing organ's USCC (the ``iss`` of its credentials) to its JWK Set
(RFC 7517 §5). The node builds it from its KeyStore, where an issuer's keys are owned by its
USCC, and serves it signed by the node key as a compact JWS of ``typ: trustlist+jwt``::

    {"iss": "<node code>", "iat": ..., "exp": ...,
     "issuers": {"<USCC>": {"keys": [<jwk>, ...]}, ...},
     "status_lists": ["<status list uri>", ...]}

A verifier caches it in a file and works offline from that copy. When only a node's plain
``/.well-known/jwks.json`` is at hand (no owners in it), :meth:`TrustList.from_jwks` trusts
every key in it for any issuer — weaker, and said so in the result's ``issuer``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.certs.issuers import issuer_of_owner
from certfree.certs.models import StatusListRecord
from certfree.crypto import (
    KeyLike,
    KeyStore,
    SdJwtInvalid,
    Signer,
    Verifier,
    jwk_thumbprint,
    sign_jws,
    verifier_for,
)
from certfree.crypto.sdjwt import check_jws_signature, open_jws
from certfree.errors import InvalidInput, KeyNotFound, SignatureInvalid
from certfree.safejson import loads_untrusted

__all__ = ["ANY_ISSUER", "TRUST_LIST_TYP", "TrustList", "node_trust_list"]

TRUST_LIST_TYP = "trustlist+jwt"
ANY_ISSUER = "*"  # the entry of a trust list read from a plain JWK Set: keys for any issuer
NODE_KEY_OWNER = "node"  # the node's own key in its KeyStore (certfree.auth.tokens)
# Key owners in a node's KeyStore that are not issuing organs.
_NOT_ISSUERS = frozenset({NODE_KEY_OWNER})
TRUST_LIST_LIFETIME = 7 * 86400  # an offline verifier should refresh its copy weekly


@dataclass(frozen=True, slots=True)
class TrustList:
    """Issuer USCC → its public JWKs; ``resolve`` is the key resolver verifiers take."""

    issuers: Mapping[str, tuple[dict[str, Any], ...]]
    status_lists: tuple[str, ...] = ()
    issued_at: int | None = None
    expires_at: int | None = None
    publisher: str | None = None
    serial: int | None = None  # the province's list: its version number, up by one a change
    token: str | None = field(default=None, compare=False)
    # kid → Verifier, filled on first use: reading a JWK (curve checks, thumbprint) costs
    # about as much as a signature check, and a gate checks the same few issuers all day.
    _verifiers: dict[tuple[str, str], Verifier] = field(
        default_factory=dict, compare=False, repr=False
    )

    def key_for(self, issuer: object, kid: object) -> KeyLike:
        """The key ``kid`` of ``issuer``; KeyNotFound (an untrusted issuer) otherwise.

        A JWK without ``kid`` of its own is matched by its RFC 7638 thumbprint, which is the
        ``kid`` our seal puts in every header.
        """
        cached = self._verifiers.get((str(issuer), str(kid)))
        if cached is not None:
            return cached
        candidates = self.issuers.get(str(issuer), ()) + self.issuers.get(ANY_ISSUER, ())
        if not candidates:
            raise KeyNotFound(f"发证机关 {issuer} 不在信任列表中 (issuer not in the trust list)")
        for jwk in candidates:
            if kid is None or _kid(jwk) == kid:
                try:
                    verifier = verifier_for(jwk)
                except InvalidInput:
                    return jwk  # let the signature check report the unusable key
                self._verifiers[(str(issuer), str(kid))] = verifier
                return verifier
        raise KeyNotFound(f"发证机关 {issuer} 没有密钥 {kid} (key not in the trust list)")

    def resolve(self, header: Mapping[str, Any], payload: Mapping[str, Any]) -> KeyLike:
        """Resolver for ``verify_sd_jwt``: the key named by the header among ``iss``'s keys."""
        return self.key_for(payload.get("iss"), header.get("kid"))

    def document(self) -> dict[str, Any]:
        """The JSON payload (see the module docstring)."""
        doc: dict[str, Any] = {
            "issuers": {uscc: {"keys": list(keys)} for uscc, keys in sorted(self.issuers.items())},
            "status_lists": list(self.status_lists),
        }
        for name, value in (
            ("iss", self.publisher),
            ("iat", self.issued_at),
            ("exp", self.expires_at),
            ("serial", self.serial),
        ):
            if value is not None:
                doc[name] = value
        return doc

    @classmethod
    def from_document(cls, doc: Mapping[str, Any], *, token: str | None = None) -> TrustList:
        """Read the JSON payload; InvalidInput names what is missing or mistyped."""
        issuers = doc.get("issuers")
        if not isinstance(issuers, Mapping):
            raise InvalidInput("trust list has no 'issuers' object", field="issuers")
        table: dict[str, tuple[dict[str, Any], ...]] = {}
        for uscc, entry in issuers.items():
            keys = entry.get("keys") if isinstance(entry, Mapping) else None
            if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
                raise InvalidInput(f"trust list entry {uscc} needs a 'keys' array of JWKs")
            table[str(uscc)] = tuple(keys)
        lists = doc.get("status_lists", [])
        return cls(
            issuers=table,
            status_lists=tuple(str(u) for u in lists) if isinstance(lists, list) else (),
            issued_at=_int_or_none(doc.get("iat")),
            expires_at=_int_or_none(doc.get("exp")),
            publisher=str(doc["iss"]) if "iss" in doc else None,
            serial=_int_or_none(doc.get("serial")),
            token=token,
        )

    @classmethod
    def from_keystore(
        cls, store: KeyStore, *, status_lists: Iterable[str] = (), publisher: str | None = None
    ) -> TrustList:
        """Every issuer key (active and retired) in ``store``, grouped by issuer USCC: the
        owner, or the part before ':' of a seal in another algorithm (``<USCC>:SM2``)."""
        table: dict[str, list[dict[str, Any]]] = {}
        for info in store.keys(None):
            if info.owner not in _NOT_ISSUERS:
                table.setdefault(issuer_of_owner(info.owner), []).append(dict(info.public_jwk))
        return cls(
            issuers={owner: tuple(jwks) for owner, jwks in table.items()},
            status_lists=tuple(status_lists),
            publisher=publisher,
        )

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any]) -> TrustList:
        """Trust every key of a plain JWK Set for any issuer (see the module docstring)."""
        keys = jwks.get("keys")
        if not isinstance(keys, list):
            raise InvalidInput("a JWK Set needs a 'keys' array (RFC 7517 §5)", field="keys")
        return cls(issuers={ANY_ISSUER: tuple(k for k in keys if isinstance(k, dict))})

    def sign(self, signer: Signer, *, iat: int, exp: int) -> str:
        """This list sealed by ``signer`` (the node key) as a ``trustlist+jwt`` JWS."""
        doc = {**self.document(), "iat": iat, "exp": exp}
        return sign_jws(signer, doc, header={"typ": TRUST_LIST_TYP})

    @classmethod
    def from_token(cls, token: str, publisher_key: KeyLike | None = None) -> TrustList:
        """Read a signed trust list; with ``publisher_key`` its seal is checked first.

        Raises SignatureInvalid if the seal does not verify or the token is malformed.
        """
        try:
            header, payload, signing_input, signature = open_jws(token.strip(), "trust list")
        except SdJwtInvalid as exc:
            raise SignatureInvalid(exc.message_en) from exc
        if header.get("typ") != TRUST_LIST_TYP:
            raise SignatureInvalid(f"not a trust list: typ {header.get('typ')!r}")
        if publisher_key is not None:
            check_jws_signature(publisher_key, header, signing_input, signature)
        return cls.from_document(payload, token=token.strip())

    def save(self, path: Path) -> None:
        """Write the cached copy: the signed token if there is one, else the JSON document."""
        text = self.token or json.dumps(self.document(), ensure_ascii=False, indent=2)
        path.write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, publisher_key: KeyLike | None = None) -> TrustList:
        """Read a file written by :meth:`save`, a signed token, or a plain JWK Set."""
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InvalidInput(f"cannot read trust list {path}: {exc.strerror}") from exc
        if not text.startswith("{"):
            return cls.from_token(text, publisher_key)
        try:
            doc = loads_untrusted(text, what=f"trust list {path}", max_size=64 * 1024 * 1024)
        except InvalidInput as exc:
            raise InvalidInput(f"{exc.message} (expected a trust list or JWK Set)") from exc
        if not isinstance(doc, dict):
            raise InvalidInput(f"trust list {path} is not a JSON object")
        return cls.from_document(doc) if "issuers" in doc else cls.from_jwks(doc)


def node_trust_list(session: Session, store: KeyStore, *, publisher: str, now: int) -> str:
    """This node's trust list, sealed by its node key: every issuer key in ``store`` and the
    URI of every status list in the database (so an offline verifier can fetch them all)."""
    uris = session.scalars(select(StatusListRecord.uri).order_by(StatusListRecord.uri)).all()
    trust = TrustList.from_keystore(store, status_lists=uris, publisher=publisher)
    return trust.sign(store.signer(NODE_KEY_OWNER), iat=now, exp=now + TRUST_LIST_LIFETIME)


def _kid(jwk: Mapping[str, Any]) -> str | None:
    try:
        return str(jwk.get("kid") or jwk_thumbprint(jwk))
    except InvalidInput:
        return None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
