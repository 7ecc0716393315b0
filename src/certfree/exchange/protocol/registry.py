"""The node registry of the exchange and its signed publication (X-Road's global configuration).

The province keeps the registry in its ``nodes`` table: each node's public JWK Set, endpoint
(its exchange listener, ``https://host:exchange_port``), the key of its TLS certificate (the
SHA-256 of its SubjectPublicKeyInfo, ``crypto.tls.fingerprint``) and standing
(pending → active → revoked). It publishes it as a compact JWS signed by the
province's node key (typ ``certfree-registry+jwt``) carrying a ``serial`` that grows with
every change and an ``expires_at``; every other node fetches it, checks it against the
province keys pinned at enrolment and caches it (:class:`RegistryCache` in the runtime).

The same province key signs citizens' consent attestations, so the registry also carries
``withdrawn_consents``: the ids of attestations withdrawn (PIPL §15) and not yet expired,
which providers refuse from the next registry they fetch.

A node's JWK Set holds its signing keys and, marked ``"use":"enc"`` (RFC 7517 §4.2), the
key that peers encrypt its messages to (``certfree.crypto.jwe``): signatures are never checked
with it, and the province keys pinned from the registry leave it out.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certfree.crypto import (
    Jwk,
    Signer,
    Verifier,
    certificate_identity,
    encryption_jwk,
    is_encryption_jwk,
    sign_jws,
    verifier_for,
    verify_jws,
)
from certfree.errors import CertfreeError, Conflict, InvalidInput, KeyNotFound, SignatureInvalid
from certfree.exchange.errors import ProviderUnavailable
from certfree.exchange.protocol.signing import Peer
from certfree.governance import Consent, ConsentIssuer, withdrawn_attestations
from certfree.nodes import Node, NodeStatus, get_node
from certfree.storage import utcnow

__all__ = [
    "REGISTRY_PATH",
    "REGISTRY_TYP",
    "RegistrySnapshot",
    "approve_node",
    "certificate_fingerprint",
    "fetch_registry",
    "load_pinned_jwks",
    "pin_jwks",
    "pinned_keys",
    "register_node",
    "registry_payload",
    "registry_serial",
    "revoke_node",
    "sign_registry",
    "signing_jwks",
    "snapshot_from_payload",
    "verify_registry",
]

REGISTRY_TYP = "certfree-registry+jwt"
REGISTRY_PATH = "/api/v1/exchange/registry"  # where the province publishes it
REGISTRY_VALIDITY_SECONDS = 24 * 3600
_FINGERPRINT = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url of 32 bytes, unpadded


def _check_jwks(jwks: Mapping[str, Any]) -> dict[str, Any]:
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not keys:
        raise InvalidInput("JWK Set 应含至少一个公钥（keys 为非空数组）", field="jwks")
    for key in keys:
        try:
            if is_encryption_jwk(dict(key)):
                encryption_jwk(dict(key))
            else:
                verifier_for(dict(key))
        except (CertfreeError, TypeError, ValueError) as exc:
            raise InvalidInput(f"JWK Set 中的公钥不可用：{exc}", field="jwks") from exc
    if all(is_encryption_jwk(dict(key)) for key in keys):
        raise InvalidInput("JWK Set 应含至少一个签名公钥（use: sig）", field="jwks")
    return {"keys": [dict(key) for key in keys]}


def signing_jwks(jwks: Mapping[str, Any]) -> dict[str, Any]:
    """``jwks`` without its encryption keys: the keys that check signatures."""
    keys = [dict(key) for key in jwks.get("keys") or [] if not is_encryption_jwk(dict(key))]
    return {"keys": keys}


def _encryption_key(jwks: Mapping[str, Any]) -> Jwk | None:
    """The key peers encrypt to: the last usable ``use: enc`` JWK listed (the newest; a key
    store lists oldest first), or None when the node registered none."""
    found = None
    for key in jwks.get("keys") or []:
        if isinstance(key, Mapping) and is_encryption_jwk(key):
            try:
                encryption_jwk(key)
            except (CertfreeError, TypeError, ValueError):
                continue
            found = {str(k): str(v) for k, v in key.items()}
    return found


def certificate_fingerprint(pem: str | bytes, code: str) -> str:
    """The fingerprint the registry binds for node ``code`` from its TLS certificate (PEM);
    InvalidInput (field ``tls_certificate``) if it is none, or names another node."""
    try:
        found, named = certificate_identity(pem.encode() if isinstance(pem, str) else pem)
    except ValueError as exc:
        raise InvalidInput(
            f"TLS 证书应为 PEM 格式的 X.509 证书（not a PEM certificate: {exc}）",
            field="tls_certificate",
        ) from exc
    if named != code:
        raise InvalidInput(
            f"TLS 证书的 urn:certfree:node: 名称为 {named!r}，应为 {code!r}"
            f"（the certificate is for node {named!r}, not {code!r}）",
            field="tls_certificate",
        )
    return found


def register_node(
    session: Session,
    code: str,
    *,
    jwks: Mapping[str, Any],
    endpoint_url: str,
    tls_fingerprint: str | None = None,
    public_url: str | None = None,
    approve: bool = False,
) -> Node:
    """Record a node's keys, endpoint and the key of its TLS certificate (``tls_fingerprint``)
    and its public URL (where people reach it; the endpoint takes nodes only), the last two
    kept from its last registration when None; it stays pending until approved.

    A revoked node cannot register again (Conflict): revocation is final for its code.
    Re-registering an active node (new endpoint, rotated keys) keeps it active.
    """
    node = get_node(session, code)
    if node.status is NodeStatus.REVOKED:
        raise Conflict(f"节点 {code} 已被注销，不能重新登记", field="code")
    if not endpoint_url.startswith(("http://", "https://")):
        raise InvalidInput(f"节点地址应为 http(s) URL，收到 {endpoint_url!r}", field="endpoint_url")
    if tls_fingerprint is not None and not _FINGERPRINT.fullmatch(tls_fingerprint):
        raise InvalidInput(
            f"TLS 证书指纹应为 43 个 base64url 字符（SHA-256），收到 {tls_fingerprint!r}",
            field="tls_fingerprint",
        )
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise InvalidInput(f"节点公开地址应为 http(s) URL，收到 {public_url!r}", field="public_url")
    now = utcnow()
    node.jwks = _check_jwks(jwks)
    if tls_fingerprint is not None:
        node.tls_fingerprint = tls_fingerprint
    if public_url is not None:
        node.public_url = public_url.rstrip("/")
    node.endpoint_url = endpoint_url.rstrip("/")
    node.registered_at = now
    if approve:
        node.status = NodeStatus.ACTIVE
    node.status_changed_at = now
    session.flush()
    return node


def approve_node(session: Session, code: str) -> Node:
    """Make a registered node active (a bureau_admin's decision)."""
    node = get_node(session, code)
    if node.jwks is None:
        raise Conflict(f"节点 {code} 尚未登记公钥，不能批准", field="code")
    if node.status is NodeStatus.REVOKED:
        raise Conflict(f"节点 {code} 已被注销", field="code")
    node.status = NodeStatus.ACTIVE
    node.status_changed_at = utcnow()
    session.flush()
    return node


def revoke_node(session: Session, code: str) -> Node:
    """Revoke a node: every peer refuses its messages once it has the next registry."""
    node = get_node(session, code)
    node.status = NodeStatus.REVOKED
    node.status_changed_at = utcnow()
    session.flush()
    return node


def registry_serial(session: Session) -> int:
    """Milliseconds of the registry's last change (0 for an empty registry): a registration,
    approval or revocation of a node, or a consent withdrawn (the registry lists those)."""
    changed = session.scalar(select(func.max(Node.status_changed_at)).where(Node.jwks.is_not(None)))
    withdrawn = session.scalar(select(func.max(Consent.revoked_at)))
    latest = [moment for moment in (changed, withdrawn) if moment is not None]
    return int(max(latest).timestamp() * 1000) if latest else 0


def registry_payload(
    session: Session, province: str, *, now: float | None = None
) -> dict[str, Any]:
    """The registry document: every node with keys, its parent, endpoint, TLS key and
    status."""
    nodes = list(session.scalars(select(Node).where(Node.jwks.is_not(None)).order_by(Node.code)))
    issued = int(now if now is not None else time.time())
    return {
        "v": 1,
        "province": province,
        "serial": registry_serial(session),
        "issued_at": issued,
        "expires_at": issued + REGISTRY_VALIDITY_SECONDS,
        "nodes": [
            {
                "code": n.code,
                "name": n.name,
                "level": n.level.value,
                "parent": n.parent_code,
                "endpoint": n.endpoint_url,
                "status": n.status.value,
                "jwks": n.jwks,
                "tls": n.tls_fingerprint,
                "public_url": n.public_url,
            }
            for n in nodes
        ],
        "withdrawn_consents": withdrawn_attestations(session),
    }


def sign_registry(
    session: Session, signer: Signer, province: str, *, now: float | None = None
) -> str:
    """The registry as a compact JWS signed by the province."""
    return sign_jws(
        signer, registry_payload(session, province, now=now), header={"typ": REGISTRY_TYP}
    )


@dataclass(frozen=True)
class RegistrySnapshot:
    """One version of the registry, as a Directory for :func:`protocol.open_message`."""

    serial: int
    issued_at: int
    expires_at: int
    peers: dict[str, Peer] = field(default_factory=dict)
    province_jwks: dict[str, Any] | None = None
    province: str | None = None
    withdrawn_consents: frozenset[str] = frozenset()

    def peer(self, code: str) -> Peer | None:
        return self.peers.get(code)

    def consent_issuer(self) -> ConsentIssuer | None:
        """The province as the issuer of consent attestations: its code, the keys this
        registry lists for it and the attestations withdrawn; None unless it is active."""
        peer = self.peer(self.province) if self.province else None
        if peer is None or peer.status != "active":
            return None
        return ConsentIssuer(peer.code, dict(peer.verifiers), self.withdrawn_consents)


def snapshot_from_payload(payload: Mapping[str, Any]) -> RegistrySnapshot:
    """Build verifiers for every listed key; a key that cannot be used is left out."""
    peers: dict[str, Peer] = {}
    province_jwks = None
    for entry in payload.get("nodes", []):
        verifiers: dict[str, Verifier] = {}
        jwks = entry.get("jwks") or {}
        for key in signing_jwks(jwks)["keys"]:
            try:
                verifier = verifier_for(dict(key))
            except (CertfreeError, TypeError, ValueError):
                continue
            verifiers[verifier.kid] = verifier
        peers[entry["code"]] = Peer(
            entry["code"],
            entry["status"],
            entry.get("endpoint"),
            verifiers,
            entry.get("name"),
            entry.get("level"),
            entry.get("tls"),
            _encryption_key(jwks),
        )
        if entry["code"] == payload.get("province"):
            province_jwks = signing_jwks(jwks) if entry.get("jwks") else None
    return RegistrySnapshot(
        serial=int(payload["serial"]),
        issued_at=int(payload["issued_at"]),
        expires_at=int(payload["expires_at"]),
        peers=peers,
        province_jwks=province_jwks,
        province=payload.get("province"),
        withdrawn_consents=frozenset(
            str(jti) for jti in payload.get("withdrawn_consents") or () if isinstance(jti, str)
        ),
    )


def pinned_keys(trusted_jwks: Mapping[str, Any]) -> Callable[[str], Verifier]:
    """Key lookup for :func:`verify_jws` over the pinned province keys ``trusted_jwks``."""
    by_kid: dict[str, Verifier] = {}
    for key in signing_jwks(trusted_jwks)["keys"]:
        verifier = verifier_for(dict(key))
        by_kid[verifier.kid] = verifier

    def resolve(kid: str) -> Verifier:
        if kid not in by_kid:
            raise KeyNotFound(f"signed by {kid}, not a pinned province key")
        return by_kid[kid]

    return resolve


def verify_registry(
    token: str, trusted_jwks: Mapping[str, Any], *, now: float | None = None
) -> RegistrySnapshot:
    """Check a signed registry against the province keys ``trusted_jwks``.

    Raises SignatureInvalid when it is not signed by one of them, is not a registry or has
    expired.
    """
    header, payload = verify_jws(token, pinned_keys(trusted_jwks))
    if header.get("typ") != REGISTRY_TYP or payload.get("v") != 1:
        raise SignatureInvalid(f"not a v1 node registry (typ {header.get('typ')!r})")
    current = now if now is not None else time.time()
    if int(payload.get("expires_at", 0)) < current:
        raise SignatureInvalid("the node registry has expired; the province must publish anew")
    return snapshot_from_payload(payload)


def fetch_registry(
    client: httpx.Client, province_url: str, trusted_jwks: Mapping[str, Any]
) -> RegistrySnapshot:
    """The registry the province at ``province_url`` publishes, checked with ``trusted_jwks``.

    ProviderUnavailable when it cannot be fetched; SignatureInvalid when it does not verify.
    """
    url = f"{province_url}{REGISTRY_PATH}"
    try:
        response = client.get(url)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(province_url, f"无法取得节点注册表 {url}：{exc}") from exc
    return verify_registry(response.text.strip(), trusted_jwks)


def load_pinned_jwks(path: Path) -> dict[str, Any] | None:
    """The pinned province JWK Set, or None when the file does not exist."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise InvalidInput(
            f"省级节点公钥文件 {path} 无法读取：{exc}", field="province_jwks"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise InvalidInput(f"省级节点公钥文件 {path} 不是 JWK Set", field="province_jwks")
    return data


def pin_jwks(path: Path, jwks: Mapping[str, Any]) -> None:
    """Write the province JWK Set to ``path`` (trust on first use, development only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dict(jwks), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
