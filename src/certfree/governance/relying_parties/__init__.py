"""The register of relying parties (依赖方登记): verifiers outside government, the scenarios
each may ask for, their signed requests and the minimality rules wallets and the verification
API hold them to.

* ``models`` — the ``relying_parties`` and ``relying_party_scenarios`` tables;
* ``register`` — adding parties and scenarios (claims checked against the catalogue),
  suspending and reinstating;
* ``publication`` — the register signed by the province, saved and read offline;
* ``requests`` — the verifier's signed request and the rules (``check_request``,
  ``check_disclosure``);
* ``presentations`` — the verification API's check of what a presentation discloses;
* ``hosted`` — request keys the node keeps for verifiers that use its ``/verify`` page.
"""

from certfree.governance.relying_parties.errors import (
    RULE_TEXT,
    RelyingPartyExists,
    RelyingPartyNotFound,
    RelyingPartyRefused,
    Rule,
    ScenarioClaimUnknown,
    ScenarioNotFound,
)
from certfree.governance.relying_parties.hosted import (
    HOSTED_KEY_DIR,
    create_hosted_key,
    hosted_keys,
    hosted_signer,
    request_for,
)
from certfree.governance.relying_parties.models import (
    KIND_LABELS,
    RelyingParty,
    RelyingPartyKind,
    RelyingPartyStatus,
    Scenario,
)
from certfree.governance.relying_parties.presentations import (
    check_disclosed,
    check_presentation,
)
from certfree.governance.relying_parties.publication import (
    AUDIENCE_PREFIX,
    REGISTER_TYP,
    REGISTER_VALIDITY_SECONDS,
    PartyEntry,
    Register,
    ScenarioEntry,
    audience_of,
    load_register,
    party_view,
    register_payload,
    save_register,
    sign_register,
    verify_register,
)
from certfree.governance.relying_parties.register import (
    ID_CARD_VCT,
    ScenarioSpec,
    add_relying_party,
    check_acts_for,
    check_public_jwk,
    get_relying_party,
    list_relying_parties,
    parse_claims,
    set_status,
)
from certfree.governance.relying_parties.requests import (
    MAX_REQUEST_LIFETIME,
    REQUEST_PREFIX,
    REQUEST_TTL,
    REQUEST_TYP,
    CheckedRequest,
    VerifierRequest,
    check_disclosure,
    check_request,
    parse_request,
    sign_request,
)

__all__ = [
    "AUDIENCE_PREFIX",
    "HOSTED_KEY_DIR",
    "ID_CARD_VCT",
    "KIND_LABELS",
    "MAX_REQUEST_LIFETIME",
    "REGISTER_TYP",
    "REGISTER_VALIDITY_SECONDS",
    "REQUEST_PREFIX",
    "REQUEST_TTL",
    "REQUEST_TYP",
    "RULE_TEXT",
    "CheckedRequest",
    "PartyEntry",
    "Register",
    "RelyingParty",
    "RelyingPartyExists",
    "RelyingPartyKind",
    "RelyingPartyNotFound",
    "RelyingPartyRefused",
    "RelyingPartyStatus",
    "Rule",
    "Scenario",
    "ScenarioClaimUnknown",
    "ScenarioEntry",
    "ScenarioNotFound",
    "ScenarioSpec",
    "VerifierRequest",
    "add_relying_party",
    "audience_of",
    "check_acts_for",
    "check_disclosed",
    "check_disclosure",
    "check_presentation",
    "check_public_jwk",
    "check_request",
    "create_hosted_key",
    "get_relying_party",
    "hosted_keys",
    "hosted_signer",
    "list_relying_parties",
    "load_register",
    "parse_claims",
    "parse_request",
    "party_view",
    "register_payload",
    "request_for",
    "save_register",
    "set_status",
    "sign_register",
    "sign_request",
    "verify_register",
]
