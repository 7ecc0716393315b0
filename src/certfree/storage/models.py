"""Imports every domain's models so that ``Base.metadata`` knows all tables (for Alembic)."""

from certfree.applications import models as applications_models
from certfree.catalog import models as catalog_models
from certfree.catalog.grants import models as catalog_grant_models
from certfree.catalog.harvesting import models as catalog_harvest_models
from certfree.catalog.lists import models as catalog_list_models
from certfree.certs import models as certs_models
from certfree.certs.backfill import models as certs_backfill_models
from certfree.certs.index import models as certs_index_models
from certfree.certs.usage import models as certs_usage_models
from certfree.commitments import models as commitments_models
from certfree.exchange.protocol import models as exchange_models
from certfree.exchange.verification import models as exchange_verification_models
from certfree.governance.audit import models as governance_audit_models
from certfree.governance.consent import models as governance_consent_models
from certfree.governance.egress import models as governance_egress_models
from certfree.governance.relying_parties import models as governance_relying_party_models
from certfree.governance.subject_rights import models as governance_subject_rights_models
from certfree.nodes import models as nodes_models
from certfree.population import models as population_models
from certfree.procedures import models as procedures_models
from certfree.proofs import models as proofs_models
from certfree.storage.base import Base

__all__ = [
    "Base",
    "applications_models",
    "catalog_grant_models",
    "catalog_harvest_models",
    "catalog_list_models",
    "catalog_models",
    "certs_backfill_models",
    "certs_index_models",
    "certs_models",
    "certs_usage_models",
    "commitments_models",
    "exchange_models",
    "exchange_verification_models",
    "governance_audit_models",
    "governance_consent_models",
    "governance_egress_models",
    "governance_relying_party_models",
    "governance_subject_rights_models",
    "nodes_models",
    "population_models",
    "procedures_models",
    "proofs_models",
]
