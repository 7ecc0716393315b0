"""HTTP routes of the register of relying parties (依赖方登记): the bureau adds, suspends and
reinstates; a verifier reads its own entry and has the node sign its requests with the key the
node keeps for it; anyone reads the register signed by this node (for offline use)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from certfree.api.deps import PUBLIC, NodeDep, SessionDep, allow
from certfree.auth import NODE_KEY_OWNER, Principal, Role
from certfree.governance import relying_parties as rp

router = APIRouter(prefix="/api/v1", tags=["relying-parties"])

_Bureau = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN))]
_Reader = Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN, Role.VERIFIER))]
_Verifier = Annotated[Principal, Depends(allow(Role.VERIFIER))]
_COMPACT_JWS = {"schema": {"type": "string", "description": "compact JWS"}}


class ScenarioBody(BaseModel):
    name: str = Field(max_length=64, description="e.g. hotel_check_in")
    title: str = Field(max_length=128, description="中文名称")
    title_en: str = Field(max_length=128, description="English title")
    vct: list[str] = Field(
        default_factory=lambda: [rp.ID_CARD_VCT],
        max_length=32,
        description="certificate types accepted (default: the resident ID card)",
    )
    claims: list[str] = Field(min_length=1, max_length=64, description="the claims it may ask")
    purpose: str = Field(max_length=2000, description="legal basis and purpose")


class RelyingPartyBody(BaseModel):
    org: str = Field(max_length=32, description="GB 32100 unified social credit code")
    name: str | None = Field(None, max_length=128)
    kind: rp.RelyingPartyKind | None = None
    jwk: dict[str, Any] | None = Field(
        None, description="ES256 public JWK its requests are signed with; none: the node keeps one"
    )
    scenarios: list[ScenarioBody] = Field(min_length=1, max_length=32)


class SignRequestBody(BaseModel):
    scenario: str = Field(max_length=64)
    claims: list[str] | None = Field(
        None, max_length=64, description="default: all the scenario allows"
    )


class ScenarioView(BaseModel):
    name: str
    title: str
    title_en: str
    vct: list[str]
    claims: list[str]
    purpose: str


class RelyingPartyView(BaseModel):
    uscc: str
    identifier: str = Field(description="certfree:verifier:<USCC>, the audience it is shown to")
    name: str
    kind: rp.RelyingPartyKind
    kind_label: str
    kind_label_en: str
    status: rp.RelyingPartyStatus
    jwk: dict[str, Any] = Field(description="ES256 public JWK its requests are signed with")
    scenarios: list[ScenarioView]

    @classmethod
    def of(cls, party: rp.RelyingParty) -> RelyingPartyView:
        return cls.model_validate(rp.party_view(party))


class VerifierRequestView(BaseModel):
    request: str = Field(description="certfree:request?jwt=… (as a QR code carries it)")
    aud: str
    nonce: str
    scenario: str
    claims: list[str]
    iat: int
    exp: int


@router.get(
    "/relying-parties/register",
    openapi_extra=PUBLIC,
    response_class=Response,
    responses={200: {"content": {f"application/{rp.REGISTER_TYP}": _COMPACT_JWS}}},
)
async def signed_register(node: NodeDep) -> Response:
    """The register signed by this node (``certfree-relying-parties+jwt``): wallets and
    verifiers save it and check requests and presentations offline."""

    def signed() -> str:
        with node.db.session() as session:
            signer = node.keys.signer(NODE_KEY_OWNER)
            return rp.sign_register(session, signer, node.settings.node_code)

    return Response(
        await anyio.to_thread.run_sync(signed),
        media_type=f"application/{rp.REGISTER_TYP}",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/relying-parties")
def list_parties(session: SessionDep, _: _Bureau) -> list[RelyingPartyView]:
    """Every registered relying party with its scenarios (bureau)."""
    return [RelyingPartyView.of(p) for p in rp.list_relying_parties(session)]


@router.post("/relying-parties", status_code=201)
def add_party(
    body: RelyingPartyBody, node: NodeDep, session: SessionDep, _: _Bureau
) -> RelyingPartyView:
    """Register a relying party with its scenarios, or add scenarios to a registered one.

    Each claim is checked against the certificate catalogue (422 ``scenario-claim-unknown``
    naming it); without ``jwk`` the node keeps a new request key for the party.
    """
    specs = [
        rp.ScenarioSpec(s.name, s.title, s.title_en, tuple(s.vct), tuple(s.claims), s.purpose)
        for s in body.scenarios
    ]
    store = rp.hosted_keys(node.settings)
    party = rp.add_relying_party(
        session,
        body.org,
        scenarios=specs,
        name=body.name,
        kind=body.kind,
        jwk=body.jwk,
        make_key=lambda uscc: rp.create_hosted_key(store, uscc),
    )
    return RelyingPartyView.of(party)


@router.get("/relying-parties/mine")
def my_party(session: SessionDep, principal: _Verifier) -> RelyingPartyView:
    """The signed-in verifier's own entry (404 when its organisation is not registered)."""
    return RelyingPartyView.of(
        rp.get_relying_party(session, principal.organisation or principal.subject)
    )


@router.get("/relying-parties/{uscc}")
def get_party(uscc: str, session: SessionDep, principal: _Reader) -> RelyingPartyView:
    """One relying party: the bureau reads any, a verifier only its own."""
    rp.check_acts_for(principal, uscc)
    return RelyingPartyView.of(rp.get_relying_party(session, uscc))


@router.post("/relying-parties/{uscc}/suspend")
def suspend_party(uscc: str, session: SessionDep, _: _Bureau) -> RelyingPartyView:
    """Suspend: wallets and this API refuse the party from the next register they read."""
    return RelyingPartyView.of(rp.set_status(session, uscc, rp.RelyingPartyStatus.SUSPENDED))


@router.post("/relying-parties/{uscc}/reinstate")
def reinstate_party(uscc: str, session: SessionDep, _: _Bureau) -> RelyingPartyView:
    """Make a suspended party active again."""
    return RelyingPartyView.of(rp.set_status(session, uscc, rp.RelyingPartyStatus.ACTIVE))


@router.post("/relying-parties/{uscc}/requests", status_code=201)
def sign_request(
    uscc: str, body: SignRequestBody, node: NodeDep, session: SessionDep, principal: _Verifier
) -> VerifierRequestView:
    """A request of the verifier's own organisation, signed with the key the node keeps for it
    (for the ``/verify`` page); 403 ``relying-party-refused`` for a suspended party, a
    scenario it is not registered for or claims beyond it."""
    rp.check_acts_for(principal, uscc)
    made = rp.request_for(
        session, rp.hosted_keys(node.settings), uscc, body.scenario, claims=body.claims
    )
    assert made.iat is not None
    assert made.exp is not None
    return VerifierRequestView(
        request=made.text,
        aud=made.aud,
        nonce=made.nonce,
        scenario=body.scenario,
        claims=list(made.claims),
        iat=made.iat,
        exp=made.exp,
    )
