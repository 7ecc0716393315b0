"""The demo province's relying parties: one of each kind, registered with keys the node keeps
(made at demo time, none committed), and the demo verifier acting for the demo hotel."""

from __future__ import annotations

from certfree.demo.personas import Persona
from certfree.demo.relying_parties import DEMO_HOTEL, register_demo_relying_parties
from certfree.governance import relying_parties as rp
from certfree.settings import Settings
from certfree.storage import Database


def test_every_kind_is_registered_once_with_a_kept_key(db: Database, settings: Settings) -> None:
    store = rp.hosted_keys(settings)
    kinds = set(rp.RelyingPartyKind) - {rp.RelyingPartyKind.OTHER}
    with db.session() as session:
        assert register_demo_relying_parties(session, store) == len(kinds)
    with db.session() as session:
        assert register_demo_relying_parties(session, store) == 0  # idempotent
        parties = rp.list_relying_parties(session)
        assert {p.kind for p in parties} == kinds
        for party in parties:
            assert store.public_jwk(store.active(party.uscc).kid)["x"] == party.jwk["x"]
        hotel = rp.get_relying_party(session, DEMO_HOTEL)
        assert hotel.scenarios[0].claims == ["name", "age_over_18"]
        scenic = next(p for p in parties if p.kind is rp.RelyingPartyKind.SCENIC_SPOT)
        assert scenic.scenarios[0].claims == ["age_over_60"]


def test_the_demo_verifier_signs_in_for_the_hotel() -> None:
    desk = Persona("verifier", "hotel-1", "hotel-1", "/verify", "verifier", DEMO_HOTEL)
    assert desk.link == f"/verify?as=hotel-1&org={DEMO_HOTEL}"
