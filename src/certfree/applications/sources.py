"""Where a node's plans come from: the exchange's knowledge of what can be asked (grants,
registry, hosted departments) and the certificate library's holdings.

The library answers what a person's wallet holds only for the people who have joined the
application — the applicant, and a co-party once they consented or registered a wallet key.
Until then a co-party is planned as showing the e-certificate themself (any type the
requirement accepts is presumed theirs to show), so a plan never tells the applicant which
certificates their spouse or host holds (PIPL §13: no personal information without a basis).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from certfree import procedures
from certfree.applications.cases import APPLICANT
from certfree.applications.models import Application
from certfree.applications.running import Planner
from certfree.certs.holdings import LibraryHoldings
from certfree.exchange.questions.coverage import ExchangeFactSource
from certfree.procedures import Subject
from certfree.settings import Settings

__all__ = ["joined_parties", "node_planner", "node_sources"]


class _Any(frozenset[str]):
    """Every type: what a person who has not joined is presumed to be able to show."""

    def __contains__(self, item: object) -> bool:
        return True


class _JoinedHoldings:
    def __init__(self, library: procedures.CertificateHoldings, joined: Collection[str]):
        self.library = library
        self.joined = {who.strip().upper() for who in joined}

    def held_types(self, subject: Subject) -> frozenset[str]:
        if subject.identifier.upper() in self.joined:
            return self.library.held_types(subject)
        return _Any()


def joined_parties(app: Application) -> list[str]:
    """The applicant and the co-parties who consented or registered a wallet key."""
    return [
        p.subject_id
        for p in app.parties
        if p.role == APPLICANT or p.consent is not None or p.holder_jwk is not None
    ]


def node_sources(
    session: Session,
    settings: Settings,
    *,
    joined: Collection[str],
    down: Collection[str] = frozenset(),
) -> tuple[procedures.FactSource, procedures.CertificateHoldings]:
    """The facts and holdings the node ``settings`` describe plans with (``down``: provider
    nodes found unreachable just now, planned around); the holdings answer only for the
    people in ``joined`` (module docstring)."""
    facts = ExchangeFactSource.for_node(session, settings, down=down)
    return facts, _JoinedHoldings(LibraryHoldings(session), joined)


def node_planner(settings: Settings) -> Planner:
    """Plans an application again on the node's sources, with some providers down."""

    def plan(session: Session, app: Application, down: frozenset[str]) -> procedures.RouteReport:
        facts, holdings = node_sources(session, settings, joined=joined_parties(app), down=down)
        parties = {p.role: p.subject_id for p in app.parties if p.role != APPLICANT}
        return procedures.resolve_routes(
            session,
            app.service_code,
            app.applicant_id,
            parties=parties,
            facts=facts,
            holdings=holdings,
        )

    return plan
