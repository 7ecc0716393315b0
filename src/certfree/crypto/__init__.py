"""The unified seal (统一签章): keys, signatures and JWS for every certfree domain.

Three algorithms behind one ``Signer``/``Verifier`` pair: Ed25519 (the default), ES256 and
SM2 with SM3 (GB/T 32918.2). Keys live in a ``KeyStore`` per owner, encrypted at rest;
tokens are compact JWS over canonical JSON, and a key's id is its RFC 7638 thumbprint.
Node messages that carry personal data are encrypted as compact JWE (ECDH-ES + A256GCM) to an
X25519 key each owner keeps beside its signing keys (``jwe``, ``encryption_keys``).
Nodes reach each other over TLS 1.3 with certificates of the exchange CA (``tls``).
"""

from __future__ import annotations

from certfree.crypto.algorithms import SIGNATURE_SIZE, Alg, Jwk, Signer, Verifier
from certfree.crypto.encoding import b64url_decode, b64url_encode, canonical_json, jwk_thumbprint
from certfree.crypto.encryption_keys import EncryptionKeyInfo, EncryptionKeys
from certfree.crypto.envelope import open_private_key, seal_private_key, write_private_file
from certfree.crypto.jwe import (
    DecryptionFailed,
    EncryptionKey,
    encryption_jwk,
    is_encryption_jwk,
)
from certfree.crypto.jwe import decrypt as decrypt_jwe
from certfree.crypto.jwe import encrypt as encrypt_jwe
from certfree.crypto.jws import sign_jws, verify_jws
from certfree.crypto.keys import (
    KeyLike,
    PrivateSigner,
    generate_signer,
    load_signer,
    verifier_for,
    verify,
)
from certfree.crypto.keystore import KeyInfo, KeyStatus, KeyStore
from certfree.crypto.sdjwt import (
    Disclosure,
    ParsedSdJwt,
    SdJwtInvalid,
    SdJwtReason,
    VerifiedSdJwt,
    issue_sd_jwt,
    parse_sd_jwt,
    present_sd_jwt,
    verify_sd_jwt,
)
from certfree.crypto.sm2 import DEFAULT_USER_ID as SM2_DEFAULT_USER_ID
from certfree.crypto.sm2 import SM2_JOSE_PROFILE, sm2_za, sm3
from certfree.crypto.statuslist import (
    StatusList,
    StatusListInvalid,
    StatusListReason,
    StatusValue,
    sign_status_list_token,
    verify_status_list_token,
)
from certfree.crypto.tls import (
    PeerCertificateRefused,
    TlsFiles,
    certificate_identity,
    check_peer,
    client_context,
    development_tls,
    fingerprint,
    peer_fingerprint,
    server_context,
)

__all__ = [
    "SIGNATURE_SIZE",
    "SM2_DEFAULT_USER_ID",
    "SM2_JOSE_PROFILE",
    "Alg",
    "DecryptionFailed",
    "Disclosure",
    "EncryptionKey",
    "EncryptionKeyInfo",
    "EncryptionKeys",
    "Jwk",
    "KeyInfo",
    "KeyLike",
    "KeyStatus",
    "KeyStore",
    "ParsedSdJwt",
    "PeerCertificateRefused",
    "PrivateSigner",
    "SdJwtInvalid",
    "SdJwtReason",
    "Signer",
    "StatusList",
    "StatusListInvalid",
    "StatusListReason",
    "StatusValue",
    "TlsFiles",
    "VerifiedSdJwt",
    "Verifier",
    "b64url_decode",
    "b64url_encode",
    "canonical_json",
    "certificate_identity",
    "check_peer",
    "client_context",
    "decrypt_jwe",
    "development_tls",
    "encrypt_jwe",
    "encryption_jwk",
    "fingerprint",
    "generate_signer",
    "is_encryption_jwk",
    "issue_sd_jwt",
    "jwk_thumbprint",
    "load_signer",
    "open_private_key",
    "parse_sd_jwt",
    "peer_fingerprint",
    "present_sd_jwt",
    "seal_private_key",
    "server_context",
    "sign_jws",
    "sign_status_list_token",
    "sm2_za",
    "sm3",
    "verifier_for",
    "verify",
    "verify_jws",
    "verify_sd_jwt",
    "verify_status_list_token",
    "write_private_file",
]
