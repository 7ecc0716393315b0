"""The unified seal (统一签章): keys, signatures and JWS for every certfree domain.

Three algorithms behind one ``Signer``/``Verifier`` pair: Ed25519 (the default), ES256 and
SM2 with SM3 (GB/T 32918.2). Keys live in a ``KeyStore`` per owner, encrypted at rest;
tokens are compact JWS over canonical JSON, and a key's id is its RFC 7638 thumbprint.
"""

from __future__ import annotations

from certfree.crypto.algorithms import SIGNATURE_SIZE, Alg, Jwk, Signer, Verifier
from certfree.crypto.encoding import b64url_decode, b64url_encode, canonical_json, jwk_thumbprint
from certfree.crypto.jws import sign_jws, verify_jws
from certfree.crypto.keys import KeyLike, generate_signer, verifier_for, verify
from certfree.crypto.keystore import KeyInfo, KeyStatus, KeyStore
from certfree.crypto.sm2 import DEFAULT_USER_ID as SM2_DEFAULT_USER_ID
from certfree.crypto.sm2 import sm2_za, sm3

__all__ = [
    "SIGNATURE_SIZE",
    "SM2_DEFAULT_USER_ID",
    "Alg",
    "Jwk",
    "KeyInfo",
    "KeyLike",
    "KeyStatus",
    "KeyStore",
    "Signer",
    "Verifier",
    "b64url_decode",
    "b64url_encode",
    "canonical_json",
    "generate_signer",
    "jwk_thumbprint",
    "sign_jws",
    "sm2_za",
    "sm3",
    "verifier_for",
    "verify",
    "verify_jws",
]
