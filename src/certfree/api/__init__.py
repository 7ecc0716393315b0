"""The HTTP API: thin routes that parse, call one domain function and format."""

from fastapi import FastAPI

from certfree.api import commitments, identifiers, procedures, proofs, registry, system
from certfree.api.deps import document_roles
from certfree.api.problems import install_problem_handlers

__all__ = ["install_api"]


def install_api(app: FastAPI) -> None:
    install_problem_handlers(app)
    for module in (system, registry, identifiers, proofs, procedures, commitments):
        app.include_router(document_roles(module.router))
