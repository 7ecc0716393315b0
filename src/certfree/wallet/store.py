"""The local wallet (电子卡包): a directory of credentials bound to the holder's key.

Layout (directory 0700, files 0600 — credentials carry personal data)::

    <dir>/credentials/<id>.sd-jwt    the compact SD-JWT VC as issued; <id> is a SHA-256 prefix
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from certfree.crypto import jwk_thumbprint, write_private_file
from certfree.errors import InvalidInput
from certfree.wallet.credentials import CredentialInfo, read_credential
from certfree.wallet.errors import (
    CredentialBoundToOtherKey,
    CredentialMalformed,
    CredentialNotInWallet,
    HolderKeyInvalid,
)

__all__ = ["Wallet", "check_binding", "default_wallet_dir"]

_SUFFIX = ".sd-jwt"


def default_wallet_dir() -> Path:
    """``~/.certfree/wallet``: the holder's own machine, never the server."""
    return Path.home() / ".certfree" / "wallet"


def check_binding(info: CredentialInfo, holder_jwk: Mapping[str, Any]) -> None:
    """Refuse (CredentialBoundToOtherKey) a credential whose ``cnf.jwk`` is not ``holder_jwk``."""
    try:
        kid = jwk_thumbprint(holder_jwk)
    except InvalidInput as exc:
        raise HolderKeyInvalid(f"持证人公钥有误：{exc}", field="key") from exc
    if info.holder_kid != kid:
        raise CredentialBoundToOtherKey(
            f"证照 {info.identifier or info.id} 绑定的密钥是 {info.holder_kid}，"
            f"不是本卡包的密钥 {kid}；请用申领证照时提交的那把密钥（--key）",
            field="key",
        )


class Wallet:
    """Credentials held in ``directory``; nothing here talks to a server."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory).expanduser()
        self._credentials = self.directory / "credentials"

    def _ensure(self) -> None:
        for path in (self.directory, self._credentials):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o700)

    def add(self, compact: str, holder_jwk: Mapping[str, Any]) -> CredentialInfo:
        """Store a credential bound to ``holder_jwk``; adding the same one again is a no-op.

        Raises CredentialMalformed for what is not an SD-JWT VC with ``cnf.jwk``, and
        CredentialBoundToOtherKey when it is bound to another key than ``holder_jwk``.
        """
        info = read_credential(compact)
        check_binding(info, holder_jwk)
        self._ensure()
        path = self._credentials / f"{info.id}{_SUFFIX}"
        if not path.exists():
            write_private_file(path, (info.compact + "\n").encode("ascii"))
        return info

    def credentials(self) -> list[CredentialInfo]:
        """Every stored credential, by type then identifier; unreadable files are skipped."""
        if not self._credentials.is_dir():
            return []
        found: list[CredentialInfo] = []
        for path in sorted(self._credentials.glob(f"*{_SUFFIX}")):
            try:
                found.append(read_credential(path.read_text(encoding="ascii")))
            except (CredentialMalformed, OSError, UnicodeDecodeError):
                continue  # a half-copied or foreign file must not hide the others
        return sorted(found, key=lambda info: (info.vct, info.identifier or "", info.id))

    def get(self, ref: str) -> CredentialInfo:
        """The credential whose id starts with ``ref`` or whose identifier is ``ref``.

        Raises CredentialNotInWallet when none or more than one matches.
        """
        matches = [c for c in self.credentials() if c.id.startswith(ref) or c.identifier == ref]
        if len(matches) != 1:
            held = "、".join(c.id for c in self.credentials()) or "（卡包为空）"
            reason = "没有" if not matches else f"有 {len(matches)} 张"
            raise CredentialNotInWallet(
                f"卡包中{reason}与「{ref}」对应的证照；现有：{held}", field="credential"
            )
        return matches[0]

    def remove(self, ref: str) -> CredentialInfo:
        """Delete the credential ``get(ref)`` finds and return what it was."""
        info = self.get(ref)
        (self._credentials / f"{info.id}{_SUFFIX}").unlink(missing_ok=True)
        return info
