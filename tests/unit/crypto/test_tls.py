"""TLS 1.3 between nodes (certfree.crypto.tls): a real TLS listener on loopback built from
``server_context``, and clients that a node's exchange listener must accept or refuse."""

from __future__ import annotations

import queue
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509

from certfree.crypto.tls import (
    PeerCertificateRefused,
    TlsFiles,
    check_peer,
    client_context,
    development_tls,
    fingerprint,
    load_certificate,
    node_code_of,
    peer_fingerprint,
    server_context,
)
from certfree.errors import ConfigurationError

PASSWORD = "test-passphrase-not-secret"
HOSTS = ["127.0.0.1", "localhost"]


@pytest.fixture
def files(tmp_path: Path) -> tuple[TlsFiles, TlsFiles]:
    """Two nodes' files from one development CA."""
    ca = tmp_path / "ca"
    a = development_tls(tmp_path / "a", "370000", HOSTS, PASSWORD, ca_directory=ca)
    b = development_tls(tmp_path / "b", "370100", HOSTS, PASSWORD, ca_directory=ca)
    return a, b


@pytest.fixture
def listener(files: tuple[TlsFiles, TlsFiles]) -> Iterator[tuple[int, queue.Queue[str]]]:
    """A TLS listener of node A (``server_context``) answering each handshake with the
    fingerprint of the client's certificate; what became of each connection in the queue
    (``accepted`` or the name of the error that refused it)."""
    context = server_context(files[0])
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    outcomes: queue.Queue[str] = queue.Queue()
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                raw, _ = sock.accept()
            except TimeoutError:
                continue
            raw.settimeout(10)
            try:
                with context.wrap_socket(raw, server_side=True) as tls:
                    tls.sendall(peer_fingerprint(tls).encode() + b"\n")
                    outcomes.put("accepted")
            except (ssl.SSLError, OSError, PeerCertificateRefused) as exc:
                outcomes.put(type(exc).__name__)
                raw.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port, outcomes
    stop.set()
    thread.join()
    sock.close()


def _talk(context: ssl.SSLContext, port: int) -> tuple[str, str]:
    """Handshake with the listener: (fingerprint of the server's key, what the server said)."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return peer_fingerprint(tls), tls.recv(100).decode().strip()


def test_node_certificate_names_the_node_and_its_hosts(files: tuple[TlsFiles, TlsFiles]) -> None:
    cert = load_certificate(files[0].cert)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert node_code_of(cert) == "370000"
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert {oid.dotted_string for oid in usage} == {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"}


def test_keys_are_encrypted_with_the_passphrase(files: tuple[TlsFiles, TlsFiles]) -> None:
    assert b"ENCRYPTED PRIVATE KEY" in files[0].key.read_bytes()
    assert files[0].key.stat().st_mode & 0o777 == 0o600
    wrong = TlsFiles(files[0].cert, files[0].key, files[0].ca, "not-the-passphrase")
    with pytest.raises(ConfigurationError, match=r"node\.key\.pem"):
        server_context(wrong)


def test_mutual_tls_13_both_ends_see_the_others_key(
    files: tuple[TlsFiles, TlsFiles], listener: tuple[int, queue.Queue[str]]
) -> None:
    port, outcomes = listener
    context = client_context(files[1])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.version() == "TLSv1.3"
        server_key = peer_fingerprint(tls)
        seen_by_server = tls.recv(100).decode().strip()
        check_peer(tls, fingerprint(load_certificate(files[0].cert)), "370000")
    assert server_key == fingerprint(load_certificate(files[0].cert))
    assert seen_by_server == fingerprint(load_certificate(files[1].cert))
    assert outcomes.get(timeout=10) == "accepted"


def test_a_tls_12_only_client_fails_the_handshake(
    files: tuple[TlsFiles, TlsFiles], listener: tuple[int, queue.Queue[str]]
) -> None:
    port, outcomes = listener
    context = client_context(files[1])
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises(ssl.SSLError):
        _talk(context, port)
    assert outcomes.get(timeout=10) == "SSLError"


def test_a_client_without_a_certificate_is_refused(
    files: tuple[TlsFiles, TlsFiles], listener: tuple[int, queue.Queue[str]]
) -> None:
    port, outcomes = listener
    context = ssl.create_default_context(cafile=files[0].ca)  # trusts the CA, shows nothing
    # TLS 1.3 finishes the client's side of the handshake before the server has checked the
    # client's (absent) certificate (RFC 8446 §4.4.2.4): the refusal arrives on first read.
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _talk(context, port)
    assert outcomes.get(timeout=10) == "SSLError"  # "peer did not return a certificate"


def test_a_certificate_from_another_ca_is_refused(
    tmp_path: Path, files: tuple[TlsFiles, TlsFiles], listener: tuple[int, queue.Queue[str]]
) -> None:
    port, outcomes = listener
    stranger = development_tls(tmp_path / "stranger", "370200", HOSTS, PASSWORD)
    # The stranger trusts our CA (so it gets as far as showing its certificate) but its own
    # certificate comes from a CA of its own.
    mixed = TlsFiles(stranger.cert, stranger.key, files[0].ca, PASSWORD)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _talk(client_context(mixed), port)
    assert outcomes.get(timeout=10) == "SSLCertVerificationError"


def test_a_client_refuses_a_server_of_another_ca(
    tmp_path: Path, files: tuple[TlsFiles, TlsFiles], listener: tuple[int, queue.Queue[str]]
) -> None:
    port, _ = listener
    other = development_tls(tmp_path / "other", "370200", HOSTS, PASSWORD)
    with pytest.raises(ssl.SSLCertVerificationError):
        _talk(client_context(other), port)


def test_check_peer_refuses_a_key_the_registry_does_not_bind(
    files: tuple[TlsFiles, TlsFiles], listener: tuple[int, queue.Queue[str]]
) -> None:
    """Node B's certificate is from the right CA, but the registry binds another key to the
    node addressed: the sender refuses after the handshake."""
    port, _ = listener
    registered_for_a = fingerprint(load_certificate(files[1].cert))  # not A's key
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        client_context(files[1]).wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        with pytest.raises(PeerCertificateRefused, match="370000"):
            check_peer(tls, registered_for_a, "370000")
        with pytest.raises(PeerCertificateRefused, match="no TLS fingerprint"):
            check_peer(tls, None, "370000")


def test_peer_fingerprint_of_a_plain_connection_is_refused() -> None:
    with pytest.raises(PeerCertificateRefused, match="not TLS"):
        peer_fingerprint(object())


def test_development_files_are_reused_and_renewal_keeps_the_key(tmp_path: Path) -> None:
    first = development_tls(tmp_path, "370000", HOSTS, PASSWORD)
    cert = first.cert.read_bytes()
    again = development_tls(tmp_path, "370000", HOSTS, PASSWORD)
    assert again == first
    assert again.cert.read_bytes() == cert
    # A new host name: a new certificate for the same key, so the registered pin still holds.
    moved = development_tls(tmp_path, "370000", [*HOSTS, "node.example"], PASSWORD)
    assert moved.cert.read_bytes() != cert
    assert fingerprint(load_certificate(moved.cert)) == fingerprint(
        x509.load_pem_x509_certificate(cert)
    )
    assert "node.example" in load_certificate(moved.cert).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    ).value.get_values_for_type(x509.DNSName)
