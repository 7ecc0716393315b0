"""What the wallet refuses, each with its own named reason that says what to fix.

Subclasses of the one hierarchy in ``certfree.errors``::

    InvalidInput
    ├── HolderKeyInvalid         the key file cannot be read, or the passphrase does not open it
    ├── CredentialMalformed      not a compact SD-JWT, or no vct / cnf.jwk
    ├── ClaimNotDisclosable      a claim asked for that the credential cannot disclose
    ├── DisclosedAlone           a graded field without what the type requires beside it
    ├── ProofNotPossible         a derived claim (age ≥ N, resident of X) that cannot be proved
    └── QrPayloadTooLarge        the payload does not fit a scannable QR code
    Conflict
    └── CredentialBoundToOtherKey  cnf.jwk is not the wallet's holder key
    NotFound
    └── CredentialNotInWallet    no stored credential with that id
    ShortCodeFailed              502: the platform did not hand out a short code (online mode)
    ClaimFailed                  502: the platform did not bind the holder key (认领)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from certfree.errors import CertfreeError, Conflict, InvalidInput, NotFound

__all__ = [
    "ClaimFailed",
    "ClaimNotDisclosable",
    "CredentialBoundToOtherKey",
    "CredentialMalformed",
    "CredentialNotInWallet",
    "DisclosedAlone",
    "HolderKeyInvalid",
    "ProofNotPossible",
    "QrPayloadTooLarge",
    "ShortCodeFailed",
]


class HolderKeyInvalid(InvalidInput):
    slug = "holder-key-invalid"
    title = "Holder key cannot be used"
    title_zh = "持证人密钥不可用"


class CredentialMalformed(InvalidInput):
    slug = "credential-malformed"
    title = "Not a credential this wallet can hold"
    title_zh = "证照格式有误"


class ClaimNotDisclosable(InvalidInput):
    slug = "claim-not-disclosable"
    title = "Claim cannot be disclosed"
    title_zh = "该证照不能披露此项"

    def __init__(self, missing: Sequence[str], disclosable: Sequence[str]) -> None:
        self.missing = list(missing)
        self.disclosable = list(disclosable)
        offered = "、".join(self.disclosable) or "（无）"
        super().__init__(
            f"该证照不能披露 {'、'.join(self.missing)}；可披露的有：{offered}",
            field="disclose",
        )

    def problem_extensions(self) -> dict[str, Any]:
        return {"missing": self.missing, "disclosable": self.disclosable}


class DisclosedAlone(InvalidInput):
    slug = "disclosed-alone"
    title = "Field may not be disclosed alone"
    title_zh = "该项不得单独披露"


class ProofNotPossible(InvalidInput):
    slug = "proof-not-possible"
    title = "Derived claim cannot be proved"
    title_zh = "无法证明该推导声明"


class QrPayloadTooLarge(InvalidInput):
    slug = "qr-payload-too-large"
    title = "Payload too large for a QR code"
    title_zh = "内容过长，无法生成可扫描的二维码"


class CredentialBoundToOtherKey(Conflict):
    slug = "credential-bound-to-other-key"
    title = "Credential is bound to another key"
    title_zh = "证照绑定的不是本卡包的密钥"


class CredentialNotInWallet(NotFound):
    slug = "credential-not-in-wallet"
    title = "Credential not in wallet"
    title_zh = "卡包中没有该证照"


class ShortCodeFailed(CertfreeError):
    status = 502
    slug = "short-code-failed"
    title = "Platform gave no short code"
    title_zh = "平台未能发放亮证短码"


class ClaimFailed(CertfreeError):
    """The platform did not bind the key (unreachable, or refused with a problem document)."""

    status = 502
    slug = "claim-failed"
    title = "The platform did not bind the holder key"
    title_zh = "平台未能认领证照"
