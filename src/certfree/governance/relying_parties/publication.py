"""The register published signed (like the node registry, ``certfree.exchange.protocol.registry``):
a compact JWS of ``typ`` ``certfree-relying-parties+jwt`` signed by the province's node key,
with a ``serial`` that grows with every change and an ``expires_at``. A wallet or a verifier
saves it to a file and works offline from it; the same snapshot class reads it from the file
and, at the node, from its own database, so both take one code path.

Each party is named by its organisation code and by its identifier
``certfree:verifier:<USCC>``, the audience a holder's key-binding JWT names for it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from certfree.crypto import Signer, Verifier, sign_jws, verifier_for, verify_jws
from certfree.errors import InvalidInput, KeyNotFound, SignatureInvalid
from certfree.governance.relying_parties.models import KIND_LABELS, RelyingParty
from certfree.governance.relying_parties.register import list_relying_parties

__all__ = [
    "AUDIENCE_PREFIX",
    "REGISTER_TYP",
    "REGISTER_VALIDITY_SECONDS",
    "PartyEntry",
    "Register",
    "ScenarioEntry",
    "audience_of",
    "load_register",
    "party_view",
    "register_payload",
    "save_register",
    "sign_register",
    "verify_register",
]

REGISTER_TYP = "certfree-relying-parties+jwt"
AUDIENCE_PREFIX = "certfree:verifier:"
# A week, as the trust list: a verifier or wallet offline refreshes its copy weekly.
REGISTER_VALIDITY_SECONDS = 7 * 86400


def audience_of(uscc: str) -> str:
    """The identifier a party is registered under: the audience of presentations to it."""
    return f"{AUDIENCE_PREFIX}{uscc}"


def party_view(party: RelyingParty) -> dict[str, Any]:
    """One party as the register (and the API) shows it."""
    zh, en = KIND_LABELS[party.kind]
    return {
        "uscc": party.uscc,
        "identifier": audience_of(party.uscc),
        "name": party.name,
        "kind": party.kind.value,
        "kind_label": zh,
        "kind_label_en": en,
        "status": party.status.value,
        "jwk": party.jwk,
        "scenarios": [
            {
                "name": s.name,
                "title": s.title,
                "title_en": s.title_en,
                "vct": list(s.vcts),
                "claims": list(s.claims),
                "purpose": s.purpose,
            }
            for s in party.scenarios
        ],
    }


def register_payload(
    session: Session, province: str, *, now: float | None = None
) -> dict[str, Any]:
    """The register document: every party, active and suspended, with its scenarios."""
    parties = list_relying_parties(session)
    issued = int(now if now is not None else time.time())
    changed = [p.changed_at for p in parties]
    return {
        "v": 1,
        "province": province,
        # Milliseconds of the last change: grows with every addition and suspension.
        "serial": int(max(changed).timestamp() * 1000) if changed else 0,
        "issued_at": issued,
        "expires_at": issued + REGISTER_VALIDITY_SECONDS,
        "relying_parties": [party_view(p) for p in parties],
    }


def sign_register(
    session: Session, signer: Signer, province: str, *, now: float | None = None
) -> str:
    """The register as a compact JWS signed by the province."""
    payload = register_payload(session, province, now=now)
    return sign_jws(signer, payload, header={"typ": REGISTER_TYP})


@dataclass(frozen=True, slots=True)
class ScenarioEntry:
    name: str
    title: str
    title_en: str
    vcts: tuple[str, ...]
    claims: tuple[str, ...]
    purpose: str


@dataclass(frozen=True, slots=True)
class PartyEntry:
    uscc: str
    name: str
    kind: str
    status: str
    jwk: Mapping[str, Any]
    scenarios: Mapping[str, ScenarioEntry]

    @property
    def identifier(self) -> str:
        return audience_of(self.uscc)

    @property
    def label(self) -> str:
        """``name（USCC）``, how refusals name the party."""
        return self.uscc if self.name in {"", self.uscc} else f"{self.name}（{self.uscc}）"

    def verifier(self) -> Verifier:
        return verifier_for(dict(self.jwk))


@dataclass(frozen=True, slots=True)
class Register:
    """One version of the register; ``party`` finds an entry by code or identifier."""

    serial: int
    issued_at: int
    expires_at: int
    province: str | None
    parties: Mapping[str, PartyEntry] = field(default_factory=dict)
    token: str | None = None

    def party(self, audience_or_uscc: str) -> PartyEntry | None:
        """The party an audience names (``certfree:verifier:<USCC>`` or the bare USCC)."""
        text = audience_or_uscc.strip()
        code = text.removeprefix(AUDIENCE_PREFIX).upper()
        return self.parties.get(code)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], token: str | None = None) -> Register:
        parties: dict[str, PartyEntry] = {}
        for raw in payload.get("relying_parties") or ():
            scenarios = {
                s["name"]: ScenarioEntry(
                    name=str(s["name"]),
                    title=str(s.get("title", "")),
                    title_en=str(s.get("title_en", "")),
                    vcts=tuple(str(v) for v in s.get("vct") or ()),
                    claims=tuple(str(c) for c in s.get("claims") or ()),
                    purpose=str(s.get("purpose", "")),
                )
                for s in raw.get("scenarios") or ()
            }
            parties[str(raw["uscc"])] = PartyEntry(
                uscc=str(raw["uscc"]),
                name=str(raw.get("name", "")),
                kind=str(raw.get("kind", "")),
                status=str(raw.get("status", "")),
                jwk=dict(raw.get("jwk") or {}),
                scenarios=scenarios,
            )
        return cls(
            serial=int(payload.get("serial", 0)),
            issued_at=int(payload.get("issued_at", 0)),
            expires_at=int(payload.get("expires_at", 0)),
            province=payload.get("province"),
            parties=parties,
            token=token,
        )


def verify_register(
    token: str, trusted_jwks: Mapping[str, Any], *, now: float | None = None
) -> Register:
    """Check a signed register against the province keys ``trusted_jwks`` (a JWK Set).

    SignatureInvalid when it is not signed by one of them, is not a register or has expired.
    """
    by_kid: dict[str, Verifier] = {}
    for key in trusted_jwks.get("keys", []):
        verifier = verifier_for(dict(key))
        by_kid[verifier.kid] = verifier

    def resolve(kid: str) -> Verifier:
        if kid not in by_kid:
            raise KeyNotFound(
                f"依赖方登记册由 {kid} 签名，不是省级节点的公钥（not a province key）"
            )
        return by_kid[kid]

    header, payload = verify_jws(token.strip(), resolve)
    if header.get("typ") != REGISTER_TYP or payload.get("v") != 1:
        raise SignatureInvalid(f"不是依赖方登记册（not a v1 register, typ {header.get('typ')!r}）")
    current = now if now is not None else time.time()
    if int(payload.get("expires_at", 0)) < current:
        raise SignatureInvalid("依赖方登记册已过期，请重新下载（the register has expired）")
    return Register.from_payload(payload, token=token.strip())


def save_register(path: Path, token: str) -> None:
    """Write the signed register to ``path`` (atomically: a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(token.strip() + "\n", encoding="utf-8")
    tmp.replace(path)


def load_register(
    path: Path, trusted_jwks: Mapping[str, Any], *, now: float | None = None
) -> Register:
    """The register saved at ``path``, checked against ``trusted_jwks``."""
    try:
        token = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(
            f"依赖方登记册文件 {path} 无法读取：{exc.strerror or exc}", field="register"
        ) from exc
    return verify_register(token, trusted_jwks, now=now)
