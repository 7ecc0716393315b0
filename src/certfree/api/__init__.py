"""The HTTP API: thin routes that parse, call one domain function and format."""

from fastapi import FastAPI

from certfree.api import (
    application_desk,
    application_figures,
    applications,
    audit,
    backfill,
    backfill_runs,
    catalog,
    catalog_changes,
    catalog_grants,
    catalog_lists,
    certs,
    certs_index,
    cluster,
    commitments,
    consent,
    dept_verification,
    dev,
    exchange,
    governance_egress,
    governance_fields,
    grants,
    identifiers,
    procedures,
    proofs,
    registry,
    relying_parties,
    subject_rights,
    system,
    usage,
    verification,
)
from certfree.api.deps import document_roles
from certfree.api.guards import RequestGuard
from certfree.api.hop_endpoint import HopEndpoint, document_hop_endpoint
from certfree.api.problems import document_problems, install_problem_handlers

__all__ = ["install_api"]


def install_api(app: FastAPI) -> None:
    install_problem_handlers(app)
    app.add_middleware(HopEndpoint)  # node hops skip routing, not the guard's limits
    app.add_middleware(RequestGuard)
    modules = (
        system,
        registry,
        identifiers,
        proofs,
        procedures,
        commitments,
        application_desk,  # before applications: /applications/after-checks/run is not an id
        applications,
        application_figures,
        certs,
        certs_index,
        verification,
        relying_parties,
        usage,
        backfill,
        backfill_runs,
        exchange,
        cluster,
        dept_verification,
        grants,
        consent,
        subject_rights,
        audit,
        governance_fields,
        governance_egress,
        catalog,
        catalog_changes,
        catalog_grants,
        catalog_lists,
        dev,
    )
    for module in modules:
        app.include_router(document_roles(module.router))
    document_hop_endpoint(app)
    document_problems(app)
