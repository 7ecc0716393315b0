"""The demo's stand-ins for people's phones and sign-ins, for ``certfree apply``.

On a demo node the command line plays every person of an application at once, as each would
act in their own app. This module holds what that takes and nothing else:

* which demo node a URL is — a node of the demo cluster (``cluster.json``) or the node
  ``make run`` serves (the settings' base URL) — so that tokens can be minted with its key,
  as its demo sign-in hands them out, and which node is the province: the citizens' identity
  provider, which attests their consent;
* a wallet per demo person (``<wallets>/<ID>``: the holder key ``key.jwk`` and the
  credentials, the layout ``certfree wallet --wallet DIR`` reads). It stays on the command
  line's side, as a phone's wallet stays on the phone: no private key goes to a node;
* the face data of a person's own resident ID card and household register entry (户口簿) as
  the node's population register holds them, so that a demo person without one in their
  wallet is issued the paper they would carry;
* the questions an application asks about a party, which their consent must cover.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from certfree import certs, population
from certfree.auth import TokenService
from certfree.demo.cluster_desk import node_settings
from certfree.demo.cluster_processes import MANIFEST, read_manifest
from certfree.errors import InvalidInput
from certfree.identifiers import lookup_division
from certfree.settings import NodeLevel, Settings
from certfree.storage import Database
from certfree.wallet import HolderKey, Wallet

__all__ = [
    "HOLDER_KEY_FILE",
    "DemoNode",
    "DemoSite",
    "PersonWallet",
    "demo_site",
    "issued_on_demand",
    "mint",
    "own_id_card",
    "person_wallet",
    "questions_about",
]

HOLDER_KEY_FILE = "key.jwk"  # the name `certfree wallet --wallet DIR` looks for
# The certificates every resident holds, which a demo person is issued on demand.
ON_DEMAND = frozenset({"resident_id_card", "household_register"})
_HOUSEHOLD_TYPE = "家庭户"
_HEAD, _OTHER_RELATION = "户主", "其他"  # the register keeps the head, not the relations
_TOKEN_SECONDS = 600  # one command's worth
_IDENTIFIER = re.compile(r"[0-9A-Z]{18}")  # GB 11643 ID number or GB 32100 USCC
# GB/T 3304 names of the nationalities the demo population is drawn from (demo.people).
_ETHNIC_GROUPS = {"01": "汉", "03": "回", "11": "满"}


@dataclass(frozen=True)
class DemoNode:
    """A demo node: its code, URL and settings (key directory, passphrase, database)."""

    code: str
    url: str
    settings: Settings

    @functools.cached_property
    def tokens(self) -> TokenService:
        return TokenService(self.settings, self.settings.key_store())


@dataclass(frozen=True)
class DemoSite:
    """The node acted on, the province that attests consent (None when the demo has no
    province to reach), and the directory of the demo people's wallets."""

    node: DemoNode
    province: DemoNode | None
    wallets: Path


def _same(url: str, other: str) -> bool:
    return url.strip().rstrip("/") == other.strip().rstrip("/")


def demo_site(url: str | None, *, cluster_dir: Path, settings: Settings) -> DemoSite | None:
    """The demo site of node ``url``: a node of the cluster in ``cluster_dir``, or (also when
    ``url`` is None) the development node of ``settings``; None for any other node."""
    if url is not None and (cluster_dir / MANIFEST).is_file():
        manifest = read_manifest(cluster_dir)
        nodes: Mapping[str, Any] = manifest["nodes"]
        found = next((code for code, node in nodes.items() if _same(node["url"], url)), None)
        if found is not None:
            province = str(manifest["province"])
            return DemoSite(
                node=_cluster_node(found, nodes[found]),
                province=_cluster_node(province, nodes[province]),
                wallets=cluster_dir / "wallets",
            )
    if (url is None or _same(url, settings.base_url)) and settings.is_development:
        own = DemoNode(settings.node_code, settings.base_url, settings)
        return DemoSite(
            node=own,
            province=own if settings.node_level is NodeLevel.PROVINCE else None,
            wallets=settings.key_dir.parent / "wallets",
        )
    return None


def _cluster_node(code: str, entry: Mapping[str, Any]) -> DemoNode:
    return DemoNode(code, str(entry["url"]).rstrip("/"), node_settings(dict(entry), code))


def mint(node: DemoNode, role: str, subject: str, organisation: str | None = None) -> str:
    """A bearer token of ``subject`` acting as ``role``, signed with ``node``'s own key: what
    the node's demo sign-in would hand that person or clerk."""
    ttl = min(_TOKEN_SECONDS, node.settings.token_ttl_seconds)
    return node.tokens.issue(role, subject, organisation=organisation, ttl_seconds=ttl)


@dataclass(frozen=True)
class PersonWallet:
    """A demo person's wallet: its directory, the credentials in it and the holder key."""

    directory: Path
    wallet: Wallet
    key: HolderKey


def _identifier(person: str) -> str:
    text = person.strip().upper()
    if not _IDENTIFIER.fullmatch(text):
        raise InvalidInput(
            f"「{person}」不是 18 位证件号码（an 18-character ID number or USCC）", field="party"
        )
    return text


def person_wallet(site: DemoSite, person: str) -> PersonWallet:
    """The wallet of demo person ``person`` (made, with a new holder key, on first use)."""
    directory = site.wallets / _identifier(person)
    path = directory / HOLDER_KEY_FILE
    if path.exists():
        key = HolderKey.load(path)
    else:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = HolderKey.generate()
        key.save(path)
    return PersonWallet(directory, Wallet(directory), key)


def issued_on_demand(type_code: str) -> bool:
    """Whether a demo person without a certificate of ``type_code`` is issued one on demand
    (:func:`own_id_card`): the resident ID card and the household register entry, which
    every resident holds."""
    kind = certs.cert_types().get(type_code.strip().upper())
    return kind is not None and kind.slug in ON_DEMAND


def own_id_card(node: DemoNode, type_code: str, person: str) -> tuple[dict[str, Any], str]:
    """The face data of ``person``'s resident ID card (or household register entry) as
    ``node``'s population register holds it, and the organ that issues it to them (the
    public security of their city: 属地管辖).

    InvalidInput for another certificate type: the demo issues only these on demand;
    NotFound for a person the register lacks."""
    kind = certs.cert_type(type_code)
    if not issued_on_demand(type_code):
        raise InvalidInput(
            f"演示中只能当场申领居民身份证和居民户口簿，{kind.name}请先放入卡包"
            f"（certfree wallet add）（the demo issues only ID cards and household registers "
            f"on demand; add a {kind.name_en} to the wallet）",
            field="wallet",
        )
    db = Database(node.settings.database_url)
    try:
        with db.session() as session:
            holder = population.get_person(session, _identifier(person))
            home = session.get(population.Household, holder.household_no)
            address = home.address if home is not None else ""
            face = {
                "name": holder.name,
                "sex": population.SEX_ZH[holder.sex],
                "birth_date": holder.birth_date.isoformat(),
                "id_number": holder.id_number,
                "address": address,
                # GB/T 2260 division of the household: the issuer seals its levels for
                # "resident of X" proved on the holder's device (certs.derived).
                "division_code": holder.address_code,
            }
            if kind.slug == "household_register":
                head_id = home.head_id_number if home is not None else holder.id_number
                head = session.get(population.Person, head_id)
                face |= {
                    "household_no": holder.household_no,
                    "household_type": _HOUSEHOLD_TYPE,
                    "head_name": head.name if head is not None else holder.name,
                    "relation_to_head": _HEAD if head_id == holder.id_number else _OTHER_RELATION,
                    "birthplace": _birthplace(holder.id_number, address),
                }
            else:
                face |= {
                    "ethnic_group": _ETHNIC_GROUPS.get(holder.ethnic_group or "01", "汉"),
                    "issuing_authority": _police_of(holder.address_code),
                }
            return face, f"{holder.address_code[:4]}00-{kind.department.value}"
    finally:
        db.dispose()


def _birthplace(id_number: str, address: str) -> str:
    # GB 11643 §5.2: the address code is where the person was first registered, which the
    # household register prints as the place of birth of one born there.
    division = lookup_division(id_number[:6])
    return division.full_name if division is not None else address


def _police_of(county: str) -> str:
    division = lookup_division(county)
    return f"{division.name if division else county}公安局"


def questions_about(view: Mapping[str, Any], party: str) -> list[str]:
    """The data-sharing questions application ``view`` (as the API shows it) asks about
    ``party``, as the node lists them for each party."""
    me = _identifier(party)
    found = next((p for p in view.get("parties") or [] if p["id"] == me), None)
    return list(found["questions"]) if found else []
