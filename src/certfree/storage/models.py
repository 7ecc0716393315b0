"""Imports every domain's models so that ``Base.metadata`` knows all tables (for Alembic)."""

from certfree.nodes import models as nodes_models
from certfree.population import models as population_models
from certfree.storage.base import Base

__all__ = ["Base", "nodes_models", "population_models"]
