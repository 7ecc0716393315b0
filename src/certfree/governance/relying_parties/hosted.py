"""Request keys a node keeps for verifiers (托管签名密钥): a counter that verifies from the
``/verify`` page has no key store of its own, so the node keeps its ES256 request key and signs
its requests when its signed-in staff ask. A verifier with its own key signs its requests
itself (``certfree relying-parties request --key``); the register only ever holds the public
half either way.

The keys live in a key store of their own (``<key dir>/relying-parties``), never in the
node's: every owner in the node's store is an issuer the trust list names, and a hotel must
never be able to seal a certificate.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from sqlalchemy.orm import Session

from certfree.crypto import Alg, KeyStore, Signer
from certfree.errors import Conflict, KeyNotFound
from certfree.governance.relying_parties.errors import RelyingPartyRefused, Rule
from certfree.governance.relying_parties.publication import (
    Register,
    ScenarioEntry,
    register_payload,
)
from certfree.governance.relying_parties.requests import (
    VerifierRequest,
    check_request,
    sign_request,
)
from certfree.settings import Settings

__all__ = [
    "HOSTED_KEY_DIR",
    "create_hosted_key",
    "hosted_keys",
    "hosted_signer",
    "request_for",
]

HOSTED_KEY_DIR = "relying-parties"


def hosted_keys(settings: Settings) -> KeyStore:
    """The node's store of verifiers' request keys, sealed like its own keys."""
    return KeyStore(
        settings.key_dir / HOSTED_KEY_DIR,
        settings.key_passphrase,
        scrypt_n=settings.key_scrypt_n,
    )


def create_hosted_key(store: KeyStore, uscc: str) -> dict[str, Any]:
    """A fresh ES256 request key for party ``uscc`` (or its existing one); its public JWK."""
    with suppress(Conflict):  # already kept: the register gets the same public key again
        store.create(uscc, Alg.ES256)
    return dict(store.public_jwk(store.active(uscc).kid))


def hosted_signer(store: KeyStore, uscc: str) -> Signer:
    """The request signer the node keeps for ``uscc``; Conflict when it keeps none."""
    try:
        return store.signer(uscc)
    except KeyNotFound:
        raise Conflict(
            f"本节点未托管 {uscc} 的请求签名密钥，请用其自有密钥签名请求"
            f"（this node keeps no request key for {uscc}: sign with your own key）",
            field="organisation",
        ) from None


def request_for(
    session: Session,
    store: KeyStore,
    uscc: str,
    scenario: str,
    *,
    claims: Sequence[str] | None = None,
) -> VerifierRequest:
    """A request of party ``uscc`` for ``scenario``, signed with the key the node keeps for it,
    held to the rules a wallet will check (RelyingPartyRefused: not registered, suspended,
    unknown scenario, claims beyond it)."""
    register = Register.from_payload(register_payload(session, ""))
    party = register.party(uscc)
    if party is None:
        raise RelyingPartyRefused(Rule.PARTY_UNREGISTERED, party=uscc, field="uscc")
    made = sign_request(
        hosted_signer(store, party.uscc),
        party.uscc,
        party.scenarios.get(scenario)
        or ScenarioEntry(scenario, scenario, scenario, (), tuple(claims or ()), ""),
        claims=claims,
    )
    check_request(made, register)  # the same checks a wallet makes, before anyone sees it
    return made
