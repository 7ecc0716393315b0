"""The holder's half of derived claims (端侧处理) and of the disclosure rule.

``derive`` turns ``--prove age_at_least:35`` / ``--prove resident_of:3701`` into the claims to
disclose (the sealed ``age_anchor``, or the one division level asked) and the statements the
key-binding JWT carries (``{"derived": {"age_at_least": {"years": 35, "proof": …}}}``); the
birth date and the chain's seed never leave the device. ``check_disclosure`` refuses what the
verifier would refuse: the chain's seed named by itself, or a graded field without what the
type requires beside it. The maths is ``certfree.certs.derived``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from certfree.certs import (
    AGE_ANCHOR,
    AGE_SEED,
    BEIJING,
    DIVISION_LEVELS,
    FACE_CLAIM,
    AgeAnchor,
    age_proof,
    cert_types,
    division_level,
    lone_disclosure,
)
from certfree.crypto import parse_sd_jwt
from certfree.wallet.credentials import CredentialInfo
from certfree.wallet.errors import ClaimNotDisclosable, DisclosedAlone, ProofNotPossible

__all__ = ["PROOF_KINDS", "check_disclosure", "derive", "never_presented"]

PROOF_KINDS = ("age_at_least", "resident_of")
# Never named: the seed gives the birth date away (it goes with the whole face only, when the
# birth date is shown anyway).
never_presented = frozenset({AGE_SEED})


def _values(info: CredentialInfo) -> dict[str, Any]:
    """Every disclosed value the holder has, by claim name (face members included)."""
    return {d.name: d.value for d in parse_sd_jwt(info.compact).disclosures if d.name}


def _refuse(zh: str, en: str) -> ProofNotPossible:
    return ProofNotPossible(f"{zh}（{en}）", field="prove")


def _age(info: CredentialInfo, values: Mapping[str, Any], text: str, day: dt.date) -> Any:
    kind = cert_types().get(info.vct)
    rule = next((d for d in kind.derivations if d.kind == "age_at_least"), None) if kind else None
    anchor = AgeAnchor.read(values.get(AGE_ANCHOR))
    if rule is None or rule.minimum is None or rule.maximum is None or anchor is None:
        raise _refuse("该证照不能证明年龄", "this certificate carries no age chain")
    if not text.isdigit() or not rule.minimum <= int(text) <= rule.maximum:
        raise _refuse(
            f"年龄应为 {rule.minimum} 至 {rule.maximum} 的整数，收到 {text!r}",
            f"age must be a whole number from {rule.minimum} to {rule.maximum}",
        )
    years = int(text)
    try:
        seed = base64.urlsafe_b64decode(str(values.get(AGE_SEED)) + "=")
        born = dt.date.fromisoformat(str(values.get(rule.field)))
        proof = age_proof(seed, born, anchor, day, years)
    except (binascii.Error, ValueError) as exc:
        raise _refuse(
            f"不能证明于 {day.isoformat()} 年满 {years} 周岁", f"cannot prove age {years}: {exc}"
        ) from exc
    return {"years": years, "proof": base64.urlsafe_b64encode(proof).rstrip(b"=").decode()}


def _residence(values: Mapping[str, Any], text: str) -> tuple[str, str]:
    asked = division_level(text)
    name = DIVISION_LEVELS.get(len(asked))
    if name is None or not asked.isdigit():
        raise _refuse(
            f"行政区划代码应为 2、4 或 6 位数字（GB/T 2260），收到 {text!r}",
            "a division is 2, 4 or 6 digits (GB/T 2260)",
        )
    held = values.get(name)
    if held is None:
        raise _refuse("该证照没有签章的住址行政区划", "this certificate seals no division")
    if held != asked:
        raise _refuse(f"证照记载的住址不在 {asked} 内", f"the sealed address is not within {asked}")
    return name, asked


def derive(
    info: CredentialInfo, proofs: Iterable[str], iat: int
) -> tuple[list[str], dict[str, Any]]:
    """The claims to disclose and the key-binding claims that prove ``proofs``.

    Each proof is ``kind:value`` (``age_at_least:35``, ``resident_of:370102``); the age is
    proved for the Beijing day of ``iat``, the key binding's own time, which the verifier
    reads too. Raises ProofNotPossible naming what cannot be proved and why.
    """
    values = _values(info)
    disclose: list[str] = []
    statements: dict[str, Any] = {}
    day = dt.datetime.fromtimestamp(iat, BEIJING).date()
    for item in proofs:
        kind, _, value = item.partition(":")
        kind, value = kind.strip(), value.strip()
        if kind == "age_at_least":
            statements[kind] = _age(info, values, value, day)
            disclose.append(AGE_ANCHOR)
        elif kind == "resident_of":
            name, statements[kind] = _residence(values, value)
            disclose.append(name)
        else:
            raise _refuse(
                f"未知的推导声明 {kind!r}，可用：{'、'.join(PROOF_KINDS)}",
                f"unknown derived claim; use {', '.join(PROOF_KINDS)}",
            )
    return disclose, ({"derived": statements} if statements else {})


def check_disclosure(info: CredentialInfo, wanted: Iterable[str]) -> None:
    """Refuse a reserved claim, or a field the type never discloses alone without the claim
    it requires beside it (``certfree.certs.disclosure``)."""
    names = list(wanted)
    reserved = [name for name in names if name in never_presented]
    if reserved:
        offered = [n for n in info.disclosable if n not in never_presented]
        raise ClaimNotDisclosable(reserved, offered)
    kind = cert_types().get(info.vct)
    if FACE_CLAIM in names or kind is None:
        return
    lone = lone_disclosure(kind, names)
    if lone is not None:
        raise DisclosedAlone(f"{lone.message_zh}（{lone.message}）", field="disclose")
