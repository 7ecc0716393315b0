"""The provincial certificate index (统一归集): every certificate issued in the cascade, one
trust list of every active issuer key, one wallet across cities.

* ``feed`` — on each issuing node: the feed of its certificates' index entries (no face data,
  a holder commitment instead of the ID number), numbered so a harvest resumes exactly.
* ``commitment`` — the keyed holder commitment and the privacy it gives.
* ``entries`` — a node's entry, checked field by field (a bad one refuses its whole page).
* ``harvest`` — at the province: each node's feed and signed trust list, page by page.
* ``trustlist`` — the province's one signed trust list, with its serial.
* ``queries`` — the holder's own entries, a node's issuance, the harvest's state.
* ``models`` — the tables (migration 0012).
"""

from certfree.certs.index.commitment import holder_commitment
from certfree.certs.index.errors import (
    IndexHarvestFailed,
    IndexHarvestRefused,
    IndexNodeUnreachable,
    InvalidIndexFeed,
    InvalidIndexQuery,
)
from certfree.certs.index.feed import INDEX_FEED_TYP, MAX_PAGE, IndexPage, index_page
from certfree.certs.index.harvest import (
    HttpIndexClient,
    IndexClient,
    IndexReport,
    IndexStatus,
    OwnFeedClient,
    harvest_index,
)
from certfree.certs.index.models import IndexEntry, IndexHarvestState, NodeTrust
from certfree.certs.index.queries import (
    MAX_LIST,
    holder_entries,
    index_states,
    issued_entries,
    issued_scope,
)
from certfree.certs.index.trustlist import province_trust_list

__all__ = [
    "INDEX_FEED_TYP",
    "MAX_LIST",
    "MAX_PAGE",
    "HttpIndexClient",
    "IndexClient",
    "IndexEntry",
    "IndexHarvestFailed",
    "IndexHarvestRefused",
    "IndexHarvestState",
    "IndexNodeUnreachable",
    "IndexPage",
    "IndexReport",
    "IndexStatus",
    "InvalidIndexFeed",
    "InvalidIndexQuery",
    "NodeTrust",
    "OwnFeedClient",
    "harvest_index",
    "holder_commitment",
    "holder_entries",
    "index_page",
    "index_states",
    "issued_entries",
    "issued_scope",
    "province_trust_list",
]
