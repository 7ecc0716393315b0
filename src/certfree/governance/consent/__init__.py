"""Consent of data subjects to verification questions about them (PIPL §14, §15).

At the consumer (the node where the applicant applies):

* ``preview`` — what will be asked, of which departments, and what each answers, shown before
  the applicant consents;
* ``records`` — the consent given, seen and withdrawn;
* ``snapshots`` — the valid consent covering one question, as the copy that travels in the
  signed ``question.ask`` message; at the provider, the check of such a copy.
* ``models`` — the ``consents`` table.
"""

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
from certfree.governance.consent.snapshots import check_snapshot, consent_snapshot, snapshot_of

__all__ = [
    "DEFAULT_CONSENT_DAYS",
    "AskedQuestion",
    "Consent",
    "check_snapshot",
    "consent_snapshot",
    "consent_view",
    "give",
    "list_consents",
    "preview",
    "questions_of_service_item",
    "revoke_consent",
    "snapshot_of",
]
