"""The province's harvest of the catalogs of city and department nodes.

* ``harvest`` — asks each node's change feed for what changed after the stored cursor, page by
  page, and stores it; an interrupted harvest resumes where it stopped.
* ``client`` — fetches one page of a node's feed over signed HTTP, under a short timeout.
* the loop, the page checks and the signed request are shared with every other harvest
  (``nodes.feeds``; ``Source`` is its).
* ``models`` — the ``catalog_harvest_state`` table: the cursor and last outcome per node.

The package is named for the activity, not ``harvest``, because ``certfree.catalog.harvest``
is the function that runs one.
"""

from certfree.catalog.harvesting.client import ChangesClient, HttpChangesClient
from certfree.catalog.harvesting.harvest import (
    HarvestStatus,
    NodeReport,
    harvest,
    harvest_sources,
    harvest_states,
)
from certfree.catalog.harvesting.models import HarvestState
from certfree.nodes.feeds import Source

__all__ = [
    "ChangesClient",
    "HarvestState",
    "HarvestStatus",
    "HttpChangesClient",
    "NodeReport",
    "Source",
    "harvest",
    "harvest_sources",
    "harvest_states",
]
