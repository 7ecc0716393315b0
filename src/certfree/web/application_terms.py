"""The words of an application (办件) on the pages that show one — the applicant's and the
desk's — so both say a state, a way or a party the same way, in both languages."""

from __future__ import annotations

from typing import Any

from certfree import applications as apps
from certfree import certs, procedures
from certfree.proofs import WAY_PREFERENCE
from certfree.web import i18n

__all__ = ["application_labels"]


def application_labels(lang: str) -> dict[str, dict[str, str]]:
    """The words of an application in ``lang``, by value: never a raw enum on the page.

    States, statuses, actions and decisions stand alone on the page (a badge, a table cell, a
    heading), so their English words begin with a capital ("Submitted"); ways and roles go
    into sentences as they are ("the applicant"), ``parties`` are the roles standing alone.
    """
    en = lang == "en"

    def of(members: Any, alone: bool = False) -> dict[str, str]:
        return {
            m.value: (i18n.alone(m.label_en) if alone else m.label_en) if en else m.label_zh
            for m in members
        }

    return {
        "states": of(apps.AppState, alone=True),
        "statuses": of(apps.SlotStatus, alone=True),
        "actions": of(apps.Action, alone=True),
        "decisions": of(apps.Decision, alone=True),
        "ways": of(WAY_PREFERENCE),
        "roles": of(procedures.PartyRole),
        "parties": of(procedures.PartyRole, alone=True),
        "certificates": {
            code: kind.name_en if en else kind.name for code, kind in certs.cert_types().items()
        },
    }
