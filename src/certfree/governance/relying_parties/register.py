"""Keeping the register: a bureau_admin adds relying parties and their scenarios, suspends and
reinstates them. A scenario's claims are checked against the certificate catalogue when it is
added, so the register never names a claim no certificate can disclose.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from certfree.auth import Principal, Role
from certfree.certs import cert_types
from certfree.crypto import Alg, verifier_for
from certfree.errors import CertfreeError, Forbidden, InvalidInput
from certfree.governance.relying_parties.errors import (
    RelyingPartyExists,
    RelyingPartyNotFound,
    ScenarioClaimUnknown,
)
from certfree.governance.relying_parties.models import (
    RelyingParty,
    RelyingPartyKind,
    RelyingPartyStatus,
    Scenario,
)
from certfree.identifiers import parse_uscc
from certfree.storage import utcnow

__all__ = [
    "ID_CARD_VCT",
    "ScenarioSpec",
    "add_relying_party",
    "check_acts_for",
    "check_public_jwk",
    "get_relying_party",
    "list_relying_parties",
    "parse_claims",
    "set_status",
]

# 居民身份证, the certificate most scenarios ask of a person.
ID_CARD_VCT = "11100000000013047R001"
# Disclosable in every certificate besides its face fields and predicates (GB/T 36904 §5).
_COMMON_CLAIMS = frozenset({"certificate_id"})
_SCENARIO_NAME = re.compile(r"[a-z][a-z0-9_]{1,63}")
# JWK members of a private key (RFC 7518 §6.2.2, §6.3.2): never stored in a public register.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """A scenario as given: its name, titles, accepted types, claims and purpose."""

    name: str
    title: str
    title_en: str
    vcts: tuple[str, ...]
    claims: tuple[str, ...]
    purpose: str


def parse_claims(text: str) -> tuple[str, ...]:
    """``"a, b,,a"`` → ``("a", "b")``: trimmed, empties and repeats dropped, order kept."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def check_public_jwk(jwk: Mapping[str, Any]) -> dict[str, Any]:
    """The ES256 public JWK a party signs requests with; InvalidInput (field ``key``) for a
    private key, another algorithm or a key that cannot be read."""
    if _PRIVATE_MEMBERS & set(jwk):
        raise InvalidInput(
            "这是私钥：登记册只收公钥，请去掉 d 等私钥成员（a private key: give the public JWK）",
            field="key",
        )
    try:
        verifier = verifier_for(dict(jwk))
    except (CertfreeError, TypeError, ValueError) as exc:
        raise InvalidInput(f"公钥无法读取（the JWK cannot be read）：{exc}", field="key") from exc
    if verifier.alg is not Alg.ES256:
        raise InvalidInput(
            f"请求签名须用 ES256（P-256）公钥，收到 {verifier.alg.value}"
            f"（requests are signed with ES256; got {verifier.alg.value}）",
            field="key",
        )
    return {k: v for k, v in jwk.items() if k in {"kty", "crv", "x", "y", "kid", "alg", "use"}}


def _check_scenario(spec: ScenarioSpec) -> None:
    """The scenario's name, types and claims; every claim must be one each type discloses."""
    if not _SCENARIO_NAME.fullmatch(spec.name):
        raise InvalidInput(
            f"场景名应为小写字母开头的 a-z、0-9、_（2–64 个字符），收到 {spec.name!r}"
            f"（scenario names look like hotel_check_in）",
            field="scenario",
        )
    if not spec.title.strip() or not spec.title_en.strip():
        raise InvalidInput(
            "请填写场景的中英文名称（give the scenario's title and title_en）", field="title"
        )
    if not spec.purpose.strip():
        raise InvalidInput(
            "请填写法律依据与用途（give the legal basis and purpose）", field="purpose"
        )
    if not spec.claims:
        raise InvalidInput("场景至少索取一项（a scenario asks at least one claim）", field="claims")
    if not spec.vcts:
        raise InvalidInput(
            "场景至少接受一类证照（a scenario takes at least one certificate type）", field="vct"
        )
    catalogue = cert_types()
    for vct in spec.vcts:
        kind = catalogue.get(vct)
        if kind is None:
            raise InvalidInput(
                f"证照目录中没有类型 {vct}（no certificate type {vct}）", field="vct"
            )
        known = {f.name for f in kind.fields} | {p.name for p in kind.predicates} | _COMMON_CLAIMS
        unknown = [claim for claim in spec.claims if claim not in known]
        if unknown:
            names = ", ".join(unknown)
            raise ScenarioClaimUnknown(
                f"{kind.name}（{vct}）没有 {names}（{kind.name_en} has no claim {names}）；"
                f"可用：{', '.join(sorted(known))}",
                field="claims",
            )


def check_acts_for(principal: Principal, uscc: str) -> None:
    """A verifier acts only for its own organisation (token ``org``); the bureau for any.
    Forbidden naming ``uscc`` otherwise."""
    if principal.role is Role.VERIFIER and (principal.organisation or "").upper() != uscc.upper():
        raise Forbidden(
            f"核验方只能查看和使用本机构的登记（a verifier acts only for its own organisation, "
            f"not {uscc}）",
            field="uscc",
        )


def get_relying_party(session: Session, uscc: str) -> RelyingParty:
    """The party with organisation code ``uscc`` and its scenarios; RelyingPartyNotFound."""
    party = session.get(RelyingParty, uscc.strip().upper())
    if party is None:
        raise RelyingPartyNotFound(f"依赖方登记册中没有 {uscc}（no relying party {uscc}）")
    return party


def list_relying_parties(session: Session) -> list[RelyingParty]:
    """Every registered party (active and suspended) with its scenarios, by code."""
    query = select(RelyingParty).options(selectinload(RelyingParty.scenarios))
    return list(session.scalars(query.order_by(RelyingParty.uscc)))


def add_relying_party(
    session: Session,
    org: str,
    *,
    scenarios: Iterable[ScenarioSpec],
    name: str | None = None,
    kind: RelyingPartyKind | str | None = None,
    jwk: Mapping[str, Any] | None = None,
    make_key: Callable[[str], Mapping[str, Any]] | None = None,
) -> RelyingParty:
    """Register ``org`` (GB 32100 code) with ``scenarios``, or add scenarios to it.

    A new party needs its name, kind and public key; for a registered one they may be left
    out (given, they replace the old). Without ``jwk``, a new party's key comes from
    ``make_key(uscc)`` (a key the node keeps for it), called once everything else checked out.
    A scenario already registered under the same name is a RelyingPartyExists. Nothing is
    stored when anything is wrong.
    """
    uscc = parse_uscc(org).code
    specs = list(scenarios)
    for spec in specs:
        _check_scenario(spec)
    party = session.get(RelyingParty, uscc)
    if party is None:
        if not name or not name.strip():
            raise InvalidInput(
                "新登记的依赖方须有名称（a new relying party needs its name）", field="name"
            )
        if kind is None:
            raise InvalidInput(
                "新登记的依赖方须有类别（a new relying party needs its kind）", field="kind"
            )
        if jwk is None and make_key is None:
            raise InvalidInput(
                "新登记的依赖方须有请求签名公钥（a new relying party needs its public key）",
                field="key",
            )
        party = RelyingParty(uscc=uscc, scenarios=[])
        session.add(party)
    if name and name.strip():
        party.name = name.strip()
    if kind is not None:
        try:
            party.kind = RelyingPartyKind(kind)
        except ValueError:
            kinds = ", ".join(k.value for k in RelyingPartyKind)
            raise InvalidInput(
                f"类别应为 {kinds} 之一，收到 {kind!r}（kind is one of {kinds}）", field="kind"
            ) from None
    if jwk is not None:
        party.jwk = check_public_jwk(jwk)
    taken = {s.name for s in party.scenarios}
    for spec in specs:
        if spec.name in taken:
            raise RelyingPartyExists(
                f"{uscc} 已登记场景 {spec.name}（scenario {spec.name} already registered）",
                field="scenario",
            )
        taken.add(spec.name)
        party.scenarios.append(
            Scenario(
                name=spec.name,
                title=spec.title.strip(),
                title_en=spec.title_en.strip(),
                vcts=list(spec.vcts),
                claims=list(spec.claims),
                purpose=spec.purpose.strip(),
            )
        )
    if jwk is None and party.jwk is None and make_key is not None:
        party.jwk = check_public_jwk(make_key(uscc))
    party.status = party.status or RelyingPartyStatus.ACTIVE
    party.changed_at = utcnow()
    session.flush()
    return party


def set_status(session: Session, uscc: str, status: RelyingPartyStatus) -> RelyingParty:
    """Suspend or reinstate a party: wallets and verifiers refuse a suspended one."""
    party = get_relying_party(session, uscc)
    party.status = status
    party.changed_at = utcnow()
    session.flush()
    return party
