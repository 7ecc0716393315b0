"""Sharing grants (共享授权): which consumer node may ask which provider node what, and why.

* ``records`` — grants created, listed, viewed and revoked, and the provider's check of a
  request against them (:func:`check_grant`).
* ``sharing`` — a department's request for a catalog resource for one of its demands, and the
  provider's decision; what it grants lives in the same table.
* ``models`` — the ``grants`` table and its states.
"""

from certfree.catalog.grants.models import WHOLE_RESOURCE, Grant, GrantStatus
from certfree.catalog.grants.records import (
    check_grant,
    create_grant,
    effective_status,
    get_grant,
    grant_view,
    list_grants,
    revoke_grant,
)
from certfree.catalog.grants.sharing import (
    approve_request,
    check_resource_grant,
    expire_grants,
    refuse_request,
    request_resource,
    sharing_summary,
)

__all__ = [
    "WHOLE_RESOURCE",
    "Grant",
    "GrantStatus",
    "approve_request",
    "check_grant",
    "check_resource_grant",
    "create_grant",
    "effective_status",
    "expire_grants",
    "get_grant",
    "grant_view",
    "list_grants",
    "refuse_request",
    "request_resource",
    "revoke_grant",
    "sharing_summary",
]
