"""The holder side (电子卡包): keys and presentations that never leave the holder.

``HolderKey`` makes and keeps the holder's private key (ES256 by default); ``Wallet`` holds
credentials bound to it; ``present`` makes a presentation with the chosen disclosures and a
key-binding JWT; ``render_qr`` shows it as a QR code after ``payload_size_check`` sized it;
``request_short_code`` trades it for a one-time code (online mode for low-end phones);
``request_claim`` has the platform bind the holder key to a backfilled certificate.
"""

from __future__ import annotations

from certfree.wallet.credentials import CredentialInfo, read_credential
from certfree.wallet.errors import (
    ClaimFailed,
    ClaimNotDisclosable,
    CredentialBoundToOtherKey,
    CredentialMalformed,
    CredentialNotInWallet,
    DisclosedAlone,
    HolderKeyInvalid,
    ProofNotPossible,
    QrPayloadTooLarge,
    ShortCodeFailed,
)
from certfree.wallet.keys import DEFAULT_HOLDER_ALG, HolderKey, read_public_jwk
from certfree.wallet.online import ShortCode, request_claim, request_short_code
from certfree.wallet.presentation import parse_disclose, present
from certfree.wallet.qr import (
    MAX_QR_VERSION,
    QR_FORMATS,
    SCANNABLE_QR_VERSION,
    QrPlan,
    payload_size_check,
    render_qr,
)
from certfree.wallet.store import Wallet, check_binding, default_wallet_dir

__all__ = [
    "DEFAULT_HOLDER_ALG",
    "MAX_QR_VERSION",
    "QR_FORMATS",
    "SCANNABLE_QR_VERSION",
    "ClaimFailed",
    "ClaimNotDisclosable",
    "CredentialBoundToOtherKey",
    "CredentialInfo",
    "CredentialMalformed",
    "CredentialNotInWallet",
    "DisclosedAlone",
    "HolderKey",
    "HolderKeyInvalid",
    "ProofNotPossible",
    "QrPayloadTooLarge",
    "QrPlan",
    "ShortCode",
    "ShortCodeFailed",
    "Wallet",
    "check_binding",
    "default_wallet_dir",
    "parse_disclose",
    "payload_size_check",
    "present",
    "read_credential",
    "read_public_jwk",
    "render_qr",
    "request_claim",
    "request_short_code",
]
