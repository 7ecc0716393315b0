"""Imports every domain's models so that ``Base.metadata`` knows all tables (for Alembic)."""

from certfree.certs import backfill_models as certs_backfill_models
from certfree.certs import models as certs_models
from certfree.certs import usage_models as certs_usage_models
from certfree.commitments import models as commitments_models
from certfree.nodes import models as nodes_models
from certfree.population import models as population_models
from certfree.procedures import models as procedures_models
from certfree.proofs import models as proofs_models
from certfree.storage.base import Base

__all__ = [
    "Base",
    "certs_backfill_models",
    "certs_models",
    "certs_usage_models",
    "commitments_models",
    "nodes_models",
    "population_models",
    "procedures_models",
    "proofs_models",
]
