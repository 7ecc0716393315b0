"""Consent of data subjects to verification questions about them (PIPL §14, §15).

At the consumer (the node where the applicant applies):

* ``preview`` — what will be asked, of which departments, and what each answers, shown before
  the applicant consents;
* ``records`` — the consent given, seen and withdrawn;
* ``models`` — the ``consents`` table.

At the province, which signs citizens in: ``attestations`` — the consent attestation, a JWS
signed with the province's node key that travels in the ``question.ask`` message; at the
provider, its check against the province's keys in the node registry (the choice and the
threats it stops are in that module and in ``docs/consent-attestations.md``).
"""

from certfree.governance.consent.attestations import (
    ATTESTATION_TYP,
    MAX_ATTESTATION_DAYS,
    Attestation,
    ConsentIssuer,
    attest_consent,
    attestation_subject,
    attested_claims,
    check_attestation,
    consent_digest,
    withdrawn_attestations,
)
from certfree.governance.consent.models import DEFAULT_CONSENT_DAYS, Consent
from certfree.governance.consent.preview import (
    AskedQuestion,
    preview,
    questions_of_service_item,
)
from certfree.governance.consent.records import (
    consent_view,
    give,
    list_consents,
    revoke_consent,
)

__all__ = [
    "ATTESTATION_TYP",
    "DEFAULT_CONSENT_DAYS",
    "MAX_ATTESTATION_DAYS",
    "AskedQuestion",
    "Attestation",
    "Consent",
    "ConsentIssuer",
    "attest_consent",
    "attestation_subject",
    "attested_claims",
    "check_attestation",
    "consent_digest",
    "consent_view",
    "give",
    "list_consents",
    "preview",
    "questions_of_service_item",
    "revoke_consent",
    "withdrawn_attestations",
]
