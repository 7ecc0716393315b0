"""Where a node's plans come from: the exchange's knowledge of what can be asked (grants,
registry, hosted departments) and the certificate library's holdings."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from certfree import procedures
from certfree.applications.cases import APPLICANT
from certfree.applications.models import Application
from certfree.applications.running import Planner
from certfree.certs.holdings import LibraryHoldings
from certfree.exchange.coverage import ExchangeFactSource
from certfree.settings import Settings

__all__ = ["node_planner", "node_sources"]


def node_sources(
    session: Session, settings: Settings, *, down: Collection[str] = frozenset()
) -> tuple[procedures.FactSource, procedures.CertificateHoldings]:
    """The facts and holdings the node ``settings`` describe plans with (``down``: provider
    nodes found unreachable just now, planned around)."""
    facts = ExchangeFactSource.for_node(session, settings, down=down)
    return facts, LibraryHoldings(session)


def node_planner(settings: Settings) -> Planner:
    """Plans an application again on the node's sources, with some providers down."""

    def plan(session: Session, app: Application, down: frozenset[str]) -> procedures.RouteReport:
        facts, holdings = node_sources(session, settings, down=down)
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
