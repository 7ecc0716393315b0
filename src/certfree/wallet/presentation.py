"""Making a presentation (亮证): chosen disclosures, bound to the verifier's nonce and audience.

The key-binding JWT (RFC 9901 §4.3) is signed here with the holder's key, on the holder's
side; the verifier learns only the disclosures chosen and the holder's public key.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from certfree.crypto import present_sd_jwt
from certfree.errors import InvalidInput
from certfree.wallet.credentials import CredentialInfo, read_credential
from certfree.wallet.derivation import check_disclosure, derive
from certfree.wallet.errors import ClaimNotDisclosable
from certfree.wallet.keys import HolderKey
from certfree.wallet.store import check_binding

__all__ = ["parse_disclose", "present"]


def parse_disclose(text: str) -> list[str]:
    """``"a,b , c"`` → ``["a", "b", "c"]`` (empty items and repeats dropped; order kept)."""
    return list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def present(
    credential: str | CredentialInfo,
    key: HolderKey,
    disclose: Iterable[str],
    *,
    audience: str,
    nonce: str,
    iat: int | None = None,
    prove: Iterable[str] = (),
) -> str:
    """The presentation ``<jwt>~<chosen disclosures>~<kb-jwt>`` of ``credential``.

    Raises ClaimNotDisclosable naming each claim the credential cannot disclose (and listing
    those it can), CredentialBoundToOtherKey when ``key`` is not the credential's ``cnf.jwk``
    (a verifier would refuse the key binding), InvalidInput for an empty audience or nonce.
    ``prove`` names derived claims made on the device (``age_at_least:35``,
    ``resident_of:3701``; ``wallet.derivation``): ProofNotPossible when one cannot be made,
    DisclosedAlone for a graded field without what its type requires beside it.
    """
    info = credential if isinstance(credential, CredentialInfo) else read_credential(credential)
    if not audience.strip():
        raise InvalidInput("请填写亮证对象（audience，验证方的标识）", field="audience")
    if not nonce.strip():
        raise InvalidInput("请填写验证方给出的随机数（nonce）", field="nonce")
    wanted = list(dict.fromkeys(disclose))
    missing = [name for name in wanted if name not in info.disclosable]
    if missing:
        raise ClaimNotDisclosable(missing, info.disclosable)
    check_binding(info, key.public_jwk())
    moment = int(time.time()) if iat is None else iat
    derived, kb_claims = derive(info, prove, moment)  # 端侧处理: proofs made here
    check_disclosure(info, [*wanted, *derived])
    return present_sd_jwt(
        info.compact, [*wanted, *derived], key.signer(), audience=audience, nonce=nonce,
        iat=moment, kb_claims=kb_claims,
    )  # fmt: skip
