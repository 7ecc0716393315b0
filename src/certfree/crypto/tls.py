"""TLS 1.3 with mutual authentication between nodes: the CA, node certificates and contexts.

Every node-to-node hop runs over TLS 1.3 (RFC 8446) and both ends show a certificate of the
exchange CA (``CERT_REQUIRED`` both ways). A node certificate is an ECDSA P-256 key
(RFC 8446 §4.2.3 ``ecdsa_secp256r1_sha256``) whose subjectAltName lists the node's host names
and addresses and the URI ``urn:certfree:node:<code>`` (RFC 5280 §4.2.1.6), with the
serverAuth and clientAuth key purposes (§4.2.1.12). The signed node registry binds each node
to the SHA-256 of its certificate's SubjectPublicKeyInfo (:func:`fingerprint`, the RFC 7469
``pin-sha256`` digest in base64url): a sender checks, after the handshake, that the peer it
reached holds the key the registry names for the node it addressed (:func:`check_peer`), so
a certificate the CA issued to another node, or a re-issued one with a new key, is refused.

Private keys are written as encrypted PKCS #8 (RFC 5958) under the node's key passphrase, as
the key store's keys are; :mod:`ssl` and uvicorn open them with that password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certfree.crypto.encoding import b64url_encode
from certfree.crypto.envelope import write_private_file
from certfree.errors import ConfigurationError, CryptoError

__all__ = [
    "NODE_URI_PREFIX",
    "PeerCertificateRefused",
    "TlsFiles",
    "certificate_identity",
    "check_peer",
    "client_context",
    "create_ca",
    "development_tls",
    "fingerprint",
    "issue_node_certificate",
    "load_certificate",
    "node_code_of",
    "peer_fingerprint",
    "server_context",
    "write_certificate",
    "write_key",
]

NODE_URI_PREFIX = "urn:certfree:node:"
CA_DAYS = 3650
NODE_DAYS = 397  # the CA/Browser Forum's cap on a server certificate's validity
_RENEW_BEFORE = dt.timedelta(days=30)


class PeerCertificateRefused(CryptoError):
    """The peer's TLS certificate is not the one the registry binds to the node addressed."""

    slug = "peer-certificate-refused"
    title = "Peer certificate refused"
    title_zh = "对端节点证书不符"


@dataclass(frozen=True)
class TlsFiles:
    """A node's TLS material: its certificate (chain) and encrypted key, the CA it trusts."""

    cert: Path
    key: Path
    ca: Path
    password: str | None = None


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certfree"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_ca(
    common_name: str = "certfree exchange CA", *, days: int = CA_DAYS
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new self-signed CA (ECDSA P-256) that may issue node certificates only (pathlen 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name)
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _general_names(code: str, hosts: Iterable[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(h.strip("[]") for h in hosts if h):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    names.append(x509.UniformResourceIdentifier(NODE_URI_PREFIX + code))
    return names


def issue_node_certificate(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    code: str,
    hosts: Iterable[str],
    *,
    key: ec.EllipticCurvePrivateKey | None = None,
    days: int = NODE_DAYS,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A certificate for node ``code`` at ``hosts`` (names or IP addresses), for both ends
    of a hop; a new P-256 key unless ``key`` is given (a renewal that keeps the pin)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(code))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=days), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName(_general_names(code, hosts)), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def write_key(path: Path, key: ec.EllipticCurvePrivateKey, password: str | None) -> None:
    """Write ``key`` as PKCS #8 PEM (mode 0600), encrypted with ``password`` when given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private_file(
        path,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        ),
    )


def write_certificate(path: Path, cert: x509.Certificate) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def load_certificate(path: Path) -> x509.Certificate:
    """The first certificate of the PEM file ``path``; ConfigurationError if it has none."""
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read a PEM certificate from {path}: {exc}") from exc


def _load_key(path: Path, password: str | None) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(
            path.read_bytes(), password.encode() if password else None
        )
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"cannot open the TLS key {path} with the node's key passphrase: {exc}"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ConfigurationError(f"{path} is not an ECDSA key")
    return key


def fingerprint(cert: x509.Certificate | bytes) -> str:
    """SHA-256 of the certificate's SubjectPublicKeyInfo, base64url without padding (the
    RFC 7469 §2.4 pin): what the registry binds. ``cert`` may be DER bytes."""
    if isinstance(cert, bytes):
        cert = x509.load_der_x509_certificate(cert)
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b64url_encode(hashlib.sha256(spki).digest())


def node_code_of(cert: x509.Certificate) -> str | None:
    """The node code of the certificate's ``urn:certfree:node:`` URI, if it has one."""
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for uri in names.get_values_for_type(x509.UniformResourceIdentifier):
        if uri.startswith(NODE_URI_PREFIX):
            return uri.removeprefix(NODE_URI_PREFIX)
    return None


def certificate_identity(pem: bytes) -> tuple[str, str | None]:
    """(:func:`fingerprint`, :func:`node_code_of`) of the first certificate of ``pem``;
    ValueError if it holds none."""
    cert = x509.load_pem_x509_certificate(pem)
    return fingerprint(cert), node_code_of(cert)


def _ssl_object(connection: Any) -> Any:
    """What holds the TLS session of ``connection`` (duck-typed: httpcore's sync streams give
    the C-level ``_ssl._SSLSocket``, not an ``ssl.SSLObject``), or None."""
    if hasattr(connection, "getpeercert"):
        return connection
    get_extra_info = getattr(connection, "get_extra_info", None)
    if get_extra_info is None:
        return None
    found = get_extra_info("ssl_object")
    return found if hasattr(found, "getpeercert") else None


def peer_fingerprint(connection: Any) -> str:
    """The :func:`fingerprint` of the certificate the peer showed on ``connection``: an
    ``ssl.SSLObject``/``SSLSocket``, or anything with ``get_extra_info("ssl_object")`` (an
    httpcore network stream, ``response.extensions["network_stream"]``, an asyncio
    transport). PeerCertificateRefused if the connection is not TLS or showed no certificate."""
    ssl_object = _ssl_object(connection)
    if ssl_object is None:
        raise PeerCertificateRefused("the connection to the peer is not TLS")
    der = ssl_object.getpeercert(True)  # positional: _ssl._SSLSocket takes no keyword
    if not der:
        raise PeerCertificateRefused("the peer showed no TLS certificate")
    return fingerprint(der)


def check_peer(connection: Any, expected: str | None, node: str) -> None:
    """Refuse (PeerCertificateRefused) unless the peer on ``connection`` holds the key the
    registry binds to ``node`` (``expected``, the node's registered fingerprint)."""
    if not expected:
        raise PeerCertificateRefused(
            f"节点 {node} 在登记表中没有 TLS 证书指纹，不能确认对端身份"
            f"（node {node} has no TLS fingerprint in the registry; it must register again）"
        )
    found = peer_fingerprint(connection)
    if found != expected:
        raise PeerCertificateRefused(
            f"节点 {node} 的 TLS 证书指纹为 {found}，与登记表中的 {expected} 不符"
            f"（node {node} showed TLS key {found}, the registry binds {expected}）"
        )


def _context(purpose: ssl.Purpose, files: TlsFiles) -> ssl.SSLContext:
    protocol = (
        ssl.PROTOCOL_TLS_SERVER if purpose is ssl.Purpose.CLIENT_AUTH else ssl.PROTOCOL_TLS_CLIENT
    )
    context = ssl.SSLContext(protocol)
    context.minimum_version = ssl.TLSVersion.TLSv1_3  # RFC 8446 only; no TLS 1.2 fallback
    context.verify_mode = ssl.CERT_REQUIRED
    try:
        context.load_verify_locations(cafile=files.ca)
        context.load_cert_chain(files.cert, files.key, password=files.password)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(
            f"cannot load the node's TLS files (certificate {files.cert}, key {files.key}, "
            f"CA {files.ca}): {exc}"
        ) from exc
    return context


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """The exchange listener's context: TLS 1.3 only, a client certificate of the CA required."""
    return _context(ssl.Purpose.CLIENT_AUTH, files)


def client_context(files: TlsFiles) -> ssl.SSLContext:
    """A sender's context: TLS 1.3 only, the peer's certificate checked against the CA and the
    host name addressed, the node's own certificate shown to the peer."""
    return _context(ssl.Purpose.SERVER_AUTH, files)


def _needs_issue(path: Path, code: str, hosts: list[str], ca: x509.Certificate) -> bool:
    if not path.exists():
        return True
    cert = load_certificate(path)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return (
        cert.issuer != ca.subject
        or cert.not_valid_after_utc - _now() < _RENEW_BEFORE
        or set(names) != set(_general_names(code, hosts))
    )


def development_tls(
    directory: Path,
    code: str,
    hosts: Iterable[str],
    password: str | None,
    *,
    ca_directory: Path | None = None,
) -> TlsFiles:
    """A development node's TLS files under ``directory`` (``node.pem``, ``node.key.pem``),
    issued by a development CA in ``ca_directory`` (default: ``directory``; ``ca.pem``,
    ``ca.key.pem``), created on first use and reused after. The node certificate is issued
    again, keeping its key and so its fingerprint, when its names change or it nears expiry.
    Keys are encrypted with ``password``."""
    ca_directory = ca_directory or directory
    ca_pem, ca_key_pem = ca_directory / "ca.pem", ca_directory / "ca.key.pem"
    if ca_pem.exists() and ca_key_pem.exists():
        ca_key, ca_cert = _load_key(ca_key_pem, password), load_certificate(ca_pem)
    else:
        ca_key, ca_cert = create_ca("certfree development CA")
        write_key(ca_key_pem, ca_key, password)
        write_certificate(ca_pem, ca_cert)
    files = TlsFiles(directory / "node.pem", directory / "node.key.pem", ca_pem, password)
    wanted = list(dict.fromkeys(hosts))
    if _needs_issue(files.cert, code, wanted, ca_cert):
        key = _load_key(files.key, password) if files.key.exists() else None
        key, cert = issue_node_certificate(ca_key, ca_cert, code, wanted, key=key)
        write_key(files.key, key, password)
        write_certificate(files.cert, cert)
    return files
