"""The local wallet: holds credentials bound to its key, lists what each can disclose."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from certfree.crypto import b64url_encode, generate_signer, issue_sd_jwt
from certfree.wallet import (
    CredentialBoundToOtherKey,
    CredentialMalformed,
    CredentialNotInWallet,
    HolderKey,
    Wallet,
    read_credential,
)

Issue = Callable[..., str]
ISSUED_AT = 1_764_000_000


def test_add_then_list_shows_type_issuer_identifier_validity_and_disclosable(
    tmp_path: Path, holder: HolderKey, credential: str, face: dict[str, Any]
) -> None:
    wallet = Wallet(tmp_path / "wallet")

    added = wallet.add(credential, holder.public_jwk())

    (held,) = wallet.credentials()
    assert held == added
    assert held.vct == "11100000000000000001A"
    assert held.issuer == "https://certs.sd.gov.cn/issuers/11370000004418820E"
    assert held.identifier == "37000011100000000000120250001"
    assert held.issued_at is not None
    assert held.issued_at.timestamp() == ISSUED_AT
    assert held.expires_at is not None
    assert held.disclosable == tuple(face)
    assert held.holder_kid == holder.kid
    listed = held.as_json()
    assert listed["disclosable"] == list(face)
    assert listed["issued_at"] == "2025-11-24T16:00:00Z"


def test_files_are_private_and_adding_twice_keeps_one(
    tmp_path: Path, holder: HolderKey, credential: str
) -> None:
    wallet = Wallet(tmp_path / "wallet")
    first = wallet.add(credential, holder.public_jwk())
    again = wallet.add(credential + "\n", holder.public_jwk())

    assert first.id == again.id
    files = list((tmp_path / "wallet" / "credentials").iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "wallet").stat().st_mode) == 0o700


def test_credential_bound_to_another_key_is_refused(
    tmp_path: Path, holder: HolderKey, issue: Issue
) -> None:
    someone_else = HolderKey.generate()
    foreign = issue(someone_else.public_jwk())
    wallet = Wallet(tmp_path / "wallet")

    with pytest.raises(CredentialBoundToOtherKey, match="不是本卡包的密钥") as info:
        wallet.add(foreign, holder.public_jwk())

    assert someone_else.kid in info.value.message
    assert holder.kid in info.value.message
    assert wallet.credentials() == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not a credential", "不是 SD-JWT 证照"),
        ("eyJhbGciOiJFUzI1NiJ9.e30", "不是 SD-JWT 证照"),  # truncated: no "~"
    ],
)
def test_what_is_not_an_sd_jwt_is_refused(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(CredentialMalformed, match=reason):
        Wallet(tmp_path).add(text, HolderKey.generate().public_jwk())


def test_credential_without_holder_binding_is_refused(holder: HolderKey) -> None:
    unbound = issue_sd_jwt(
        generate_signer(), {"vct": "X", "name": "张三"}, selectively_disclosable=["name"]
    )
    with pytest.raises(CredentialMalformed, match=r"cnf\.jwk"):
        read_credential(unbound)


def test_get_and_remove_by_id_prefix_or_identifier(
    tmp_path: Path, holder: HolderKey, credential: str
) -> None:
    wallet = Wallet(tmp_path)
    info = wallet.add(credential, holder.public_jwk())

    assert wallet.get(info.id[:6]) == info
    assert wallet.get("37000011100000000000120250001") == info
    assert wallet.remove(info.id) == info
    with pytest.raises(CredentialNotInWallet, match="卡包为空"):
        wallet.get(info.id)


def test_a_damaged_file_does_not_hide_the_others(
    tmp_path: Path, holder: HolderKey, credential: str
) -> None:
    wallet = Wallet(tmp_path)
    wallet.add(credential, holder.public_jwk())
    (tmp_path / "credentials" / "0000.sd-jwt").write_text("garbage", encoding="ascii")
    assert len(wallet.credentials()) == 1


def test_a_tampered_disclosure_is_refused(tmp_path: Path, holder: HolderKey) -> None:
    issued = issue_sd_jwt(
        generate_signer(),
        {"vct": "X", "name": "张三"},
        selectively_disclosable=["name"],
        holder_jwk=holder.public_jwk(),
    )
    jwt, _, _ = issued.split("~")
    forged = b64url_encode(json.dumps(["salt", "name", "李四"], ensure_ascii=False).encode())
    with pytest.raises(CredentialMalformed, match="可能被篡改"):
        Wallet(tmp_path).add(f"{jwt}~{forged}~", holder.public_jwk())
