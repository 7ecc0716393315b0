"""The holder's own key (持证人密钥), kept on the holder's side (端侧处理).

The file is a private JWK (RFC 7517 §4, ``d`` per RFC 7518 §6.2.2.1 and RFC 8037 §2), mode
0600, so a browser's WebCrypto ``importKey("jwk", …)`` reads it as is. With a passphrase the
file instead holds the public JWK in clear and ``d`` sealed by scrypt + AES-256-GCM (the same
envelope as the node's key store), so ``wallet add`` can check a binding without unlocking it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from certfree.crypto import (
    Alg,
    Jwk,
    PrivateSigner,
    Signer,
    b64url_decode,
    b64url_encode,
    generate_signer,
    jwk_thumbprint,
    load_signer,
    open_private_key,
    seal_private_key,
    write_private_file,
)
from certfree.errors import CertfreeError
from certfree.wallet.errors import HolderKeyInvalid

__all__ = ["DEFAULT_HOLDER_ALG", "ENCRYPTED_FORMAT", "HolderKey", "read_public_jwk"]

# ES256 by default: WebCrypto has P-256 in every browser, and the reference SD-JWT verifier
# checks key binding only with ES256 (sd-jwt-python, which the interoperability tests run).
DEFAULT_HOLDER_ALG = Alg.ES256
ENCRYPTED_FORMAT = "certfree-holder-key/1"
_PUBLIC_MEMBERS = ("kty", "crv", "x", "y", "kid", "alg", "use")


def _alg_of(jwk: Mapping[str, Any]) -> Alg:
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "EC" and crv == "P-256":
        return Alg.ES256
    if kty == "OKP" and crv == "Ed25519":
        return Alg.EdDSA
    if kty == "EC" and crv == "SM2":
        return Alg.SM2
    raise HolderKeyInvalid(
        f"不支持的密钥类型 kty={kty!r} crv={crv!r}（应为 P-256、Ed25519 或 SM2）", field="key"
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HolderKeyInvalid(f"密钥文件 {path} 不存在", field="key") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HolderKeyInvalid(f"无法读取密钥文件 {path}：{exc}", field="key") from exc
    if not isinstance(data, dict):
        raise HolderKeyInvalid(f"密钥文件 {path} 不是 JSON 对象", field="key")
    return data


def _public_part(jwk: Mapping[str, Any]) -> Jwk:
    return {name: str(jwk[name]) for name in _PUBLIC_MEMBERS if name in jwk}


def _claimed_public(jwk: Mapping[str, Any], alg: Alg) -> Jwk:
    """The public members of ``jwk`` with ``kid`` recomputed: a file's own kid is not trusted."""
    public = {name: value for name, value in _public_part(jwk).items() if name != "kid"}
    try:
        public["kid"] = jwk_thumbprint(public)
    except CertfreeError as exc:
        raise HolderKeyInvalid(f"公钥成员有误：{exc}", field="key") from exc
    return public


def read_public_jwk(path: Path) -> Jwk:
    """The public JWK of the key file at ``path``, without unlocking an encrypted one."""
    data = _read_json(path)
    if data.get("format") == ENCRYPTED_FORMAT:
        public = data.get("public_jwk")
        if not isinstance(public, dict):
            raise HolderKeyInvalid(f"加密密钥文件 {path} 缺少 public_jwk", field="key")
        return _public_part(public)
    _alg_of(data)
    return _public_part(data)


class HolderKey:
    """A holder's private key; ``signer()`` signs key-binding JWTs, nothing leaves the device."""

    def __init__(self, signer: PrivateSigner) -> None:
        self._signer = signer

    @classmethod
    def generate(cls, alg: Alg = DEFAULT_HOLDER_ALG) -> HolderKey:
        """A new random key for ``alg`` (ES256 unless told otherwise)."""
        return cls(generate_signer(Alg(alg)))

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> HolderKey:
        """From a private JWK; HolderKeyInvalid if ``d`` is missing or does not match x/y."""
        alg = _alg_of(jwk)
        d = jwk.get("d")
        if not isinstance(d, str):
            raise HolderKeyInvalid("JWK 中没有私钥成员 d（这是公钥，不是私钥）", field="key")
        try:
            return cls(load_signer(alg, b64url_decode(d), _claimed_public(jwk, alg)))
        except CertfreeError as exc:
            raise HolderKeyInvalid(f"私钥与公钥不匹配或已损坏：{exc}", field="key") from exc

    @classmethod
    def load(cls, path: Path, passphrase: str | None = None) -> HolderKey:
        """Read a key file written by ``save``; an encrypted one needs its ``passphrase``."""
        data = _read_json(path)
        if data.get("format") != ENCRYPTED_FORMAT:
            return cls.from_jwk(data)
        if not passphrase:
            raise HolderKeyInvalid(
                f"密钥文件 {path} 已加密，请提供口令（--passphrase-env）", field="passphrase"
            )
        public = data.get("public_jwk")
        if not isinstance(public, dict) or not isinstance(public.get("kid"), str):
            raise HolderKeyInvalid(f"加密密钥文件 {path} 缺少 public_jwk", field="key")
        try:
            private = open_private_key(data.get("envelope") or {}, passphrase, public["kid"])
        except CertfreeError as exc:
            raise HolderKeyInvalid(
                f"口令无法打开密钥文件 {path}（口令错误或文件已被改动）", field="passphrase"
            ) from exc
        return cls.from_jwk({**public, "d": b64url_encode(private)})

    def save(self, path: Path, passphrase: str | None = None) -> None:
        """Write the key to ``path`` atomically, mode 0600; sealed when ``passphrase`` is set."""
        document: dict[str, Any]
        if passphrase:
            envelope = seal_private_key(self._signer.private_bytes(), passphrase, self.kid)
            document = {
                "format": ENCRYPTED_FORMAT,
                "public_jwk": self.public_jwk(),
                "envelope": envelope,
            }
        else:
            document = self.private_jwk()
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        write_private_file(Path(path), text.encode("utf-8"))

    @property
    def alg(self) -> Alg:
        return self._signer.alg

    @property
    def kid(self) -> str:
        """RFC 7638 thumbprint of the public key."""
        return self._signer.kid

    def public_jwk(self) -> Jwk:
        """The public JWK with ``kid``, ``alg`` and ``use`` — what goes into ``cnf.jwk``."""
        return self._signer.public_jwk()

    def private_jwk(self) -> Jwk:
        """The public JWK plus ``d``; only ``save`` should need this."""
        return {**self.public_jwk(), "d": b64url_encode(self._signer.private_bytes())}

    def signer(self) -> Signer:
        """A ``certfree.crypto.Signer`` over this key (for key-binding JWTs)."""
        return self._signer
