"""Data resource catalog, supply and demand lists, matching, and sharing grants.

Now: sharing grants (:func:`create_grant`, :func:`check_grant` …), which the exchange's
providers check every verification question against. Other domains use only the names below.
"""

# Resources, demands, import and matching (issue 6 items 1–3, 7).
from certfree.catalog.demands import (
    demand_json,
    demand_query,
    get_demand,
    list_demands,
    register_demand,
)
from certfree.catalog.errors import GrantNotFound, GrantReason, GrantRefused, GrantRevoked
from certfree.catalog.grant_models import WHOLE_RESOURCE, Grant, GrantStatus
from certfree.catalog.grants import (
    check_grant,
    create_grant,
    effective_status,
    get_grant,
    grant_view,
    list_grants,
    revoke_grant,
)
from certfree.catalog.importing import CatalogImportReport, import_catalog
from certfree.catalog.index import ResourceIndex
from certfree.catalog.list_errors import InvalidListRequest, ListNotPublished
from certfree.catalog.list_models import ListKind, ListSnapshot
from certfree.catalog.lists import (
    export_snapshot,
    get_snapshot,
    list_snapshots,
    publish_lists,
    snapshot_json,
    snapshot_rows,
)
from certfree.catalog.matching import GAP_THRESHOLD, Candidate, gap_list, load_index, match
from certfree.catalog.models import Demand, Resource
from certfree.catalog.resource_errors import (
    CatalogConflict,
    CatalogError,
    CatalogImportRejected,
    DemandNotFound,
    InvalidDemand,
    InvalidResource,
    ResourceNotFound,
)
from certfree.catalog.resources import (
    DataItem,
    ResourceDraft,
    create_resource,
    delete_resource,
    get_resource,
    list_resources,
    resource_json,
    update_resource,
    validate_resource,
)
from certfree.catalog.sharing import (
    approve_request,
    check_resource_grant,
    expire_grants,
    refuse_request,
    request_resource,
    sharing_summary,
)
from certfree.catalog.sharing_errors import (
    DuplicateRequest,
    GrantStateConflict,
    InvalidGrantRequest,
)
from certfree.catalog.vocab import (
    Category,
    DataGrade,
    OpenType,
    ShareMethod,
    ShareType,
    UpdateCycle,
)

__all__ = [
    "GAP_THRESHOLD",
    "WHOLE_RESOURCE",
    "Candidate",
    "CatalogConflict",
    "CatalogError",
    "CatalogImportRejected",
    "CatalogImportReport",
    "Category",
    "DataGrade",
    "DataItem",
    "Demand",
    "DemandNotFound",
    "DuplicateRequest",
    "Grant",
    "GrantNotFound",
    "GrantReason",
    "GrantRefused",
    "GrantRevoked",
    "GrantStateConflict",
    "GrantStatus",
    "InvalidDemand",
    "InvalidGrantRequest",
    "InvalidListRequest",
    "InvalidResource",
    "ListKind",
    "ListNotPublished",
    "ListSnapshot",
    "OpenType",
    "Resource",
    "ResourceDraft",
    "ResourceIndex",
    "ResourceNotFound",
    "ShareMethod",
    "ShareType",
    "UpdateCycle",
    "approve_request",
    "check_grant",
    "check_resource_grant",
    "create_grant",
    "create_resource",
    "delete_resource",
    "demand_json",
    "demand_query",
    "effective_status",
    "expire_grants",
    "export_snapshot",
    "gap_list",
    "get_demand",
    "get_grant",
    "get_resource",
    "get_snapshot",
    "grant_view",
    "import_catalog",
    "list_demands",
    "list_grants",
    "list_resources",
    "list_snapshots",
    "load_index",
    "match",
    "publish_lists",
    "refuse_request",
    "register_demand",
    "request_resource",
    "resource_json",
    "revoke_grant",
    "sharing_summary",
    "snapshot_json",
    "snapshot_rows",
    "update_resource",
    "validate_resource",
]
