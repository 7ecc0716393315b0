"""Issuing organs (发证机关): who may seal a type, under which key and algorithm.

An issuer is named by its USCC, which is also its key owner in the KeyStore (统一签章: one
seal key per organ). Organs are the department nodes of the registry, and only they: a node
whose registry is empty issues nothing until its nodes are registered (``certfree demo init``
registers the demo province's). The seal algorithm of each department is data
(``data/issuers.json``): Ed25519 unless listed.

Every organ's default seal uses an algorithm registered for JOSE (EdDSA, RFC 8037; ES256,
RFC 7518), because a credential is shown to relying parties the issuer does not know, and
any JOSE library verifies those. SM2 (our JOSE profile, docs/sm2-jose-profile.md) is sealed
on request, for relying parties that must verify with 国密 algorithms: that key is owned by
``<USCC>:SM2`` (``seal_owner``), and both keys are in the trust list and the JWK Set under
the organ, so either kind of credential verifies. A compact SD-JWT carries one signature,
so "beside" means a second key, not a second signature on the same credential.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.certs.types import CertType
from certfree.certs.vocab import IssuerLevel
from certfree.crypto import Alg, KeyStore, Signer
from certfree.errors import Conflict, Forbidden, InvalidIdentifier, InvalidInput, KeyNotFound
from certfree.identifiers import parse_uscc
from certfree.nodes import DepartmentKind, Node

__all__ = [
    "Issuer",
    "default_issuer_code",
    "find_issuer",
    "issuer_of_owner",
    "issuer_signer",
    "resolve_issuer",
    "seal_alg",
    "seal_owner",
]

DEMO_PROVINCE = "370000"
DEMO_CITY = "370100"  # 济南市: city- and county-level types are issued here in the demo
_OWNER_SEPARATOR = ":"  # "<USCC>:SM2": a USCC never holds ':'


@dataclass(frozen=True, slots=True)
class Issuer:
    uscc: str
    name: str
    node_code: str
    department: DepartmentKind | None


@cache
def _alg_table() -> tuple[Alg, dict[str, Alg]]:
    source = resources.files("certfree.certs") / "data" / "issuers.json"
    raw = json.loads(source.read_text(encoding="utf-8"))
    return Alg(raw["default_alg"]), {k: Alg(v) for k, v in raw["departments"].items()}


def seal_alg(department: DepartmentKind | None) -> Alg:
    """The algorithm of a department's seal key (``data/issuers.json``)."""
    default, table = _alg_table()
    return table.get(department.value, default) if department else default


def default_issuer_code(cert_type: CertType) -> str:
    """The node code of the type's default issuer in the demo province."""
    region = DEMO_PROVINCE if cert_type.issuer_level is IssuerLevel.PROVINCE else DEMO_CITY
    return f"{region}-{cert_type.department.value}"


def _find(session: Session, *, uscc: str | None = None, code: str | None = None) -> Issuer | None:
    query = select(Node)
    query = query.where(Node.uscc == uscc) if uscc else query.where(Node.code == code)
    node = session.scalars(query).first()
    return None if node is None else Issuer(node.uscc, node.name, node.code, node.department)


def find_issuer(session: Session, organ: str) -> Issuer:
    """The issuing organ named by a USCC or a department node code; InvalidInput if unknown."""
    wanted = organ.strip().upper()
    if len(wanted) == 18:
        try:
            parse_uscc(wanted)
        except InvalidIdentifier as exc:
            raise InvalidInput(
                f"发证机关统一社会信用代码有误：{exc.message}", field="issuer"
            ) from None
        found = _find(session, uscc=wanted)
    else:
        found = _find(session, code=wanted)
    if found is None:
        raise InvalidInput(
            f"发证机关 {wanted} 不是本省登记的部门节点（certfree demo init 建立演示省节点）",
            field="issuer",
        )
    return found


def resolve_issuer(session: Session, cert_type: CertType, issuer: str | None) -> Issuer:
    """The organ that issues ``cert_type``: ``issuer`` (a USCC or node code) or the default.

    Raises InvalidInput for an unknown organ, Forbidden when its department does not issue
    the type (a civil-affairs bureau cannot issue a driving licence).
    """
    found = find_issuer(session, issuer or default_issuer_code(cert_type))
    if found.department is not cert_type.department:
        raise Forbidden(
            f"{found.name}不能签发{cert_type.name}："
            f"该类证照由{cert_type.department.name_zh}部门签发"
        )
    return found


def seal_owner(keys: KeyStore, uscc: str, alg: Alg | None) -> str:
    """The KeyStore owner of ``uscc``'s seal in ``alg`` (None: its default seal, owner USCC).

    The default seal is owned by the USCC itself; a seal in another algorithm, asked for by
    name, by ``<USCC>:<alg>``. A store whose USCC key already has ``alg`` uses that one.
    """
    if alg is None:
        return uscc
    try:
        if keys.active(uscc).alg is alg:
            return uscc
    except KeyNotFound:
        pass
    return f"{uscc}{_OWNER_SEPARATOR}{alg.value}"


def issuer_of_owner(owner: str) -> str:
    """The issuer (USCC) whose seal a KeyStore owner holds: ``<USCC>:SM2`` → ``<USCC>``."""
    return owner.split(_OWNER_SEPARATOR, 1)[0]


def issuer_signer(keys: KeyStore, issuer: Issuer, alg: Alg | None = None) -> Signer:
    """The issuer's seal signer in ``alg`` (None: its default seal, the department's alg);
    the key is created on first use."""
    owner = seal_owner(keys, issuer.uscc, alg)
    try:
        return keys.signer(owner)
    except KeyNotFound:
        with suppress(Conflict):  # another worker created it first
            keys.create(owner, alg or seal_alg(issuer.department))
    return keys.signer(owner)
