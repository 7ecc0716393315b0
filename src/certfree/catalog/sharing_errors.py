"""Errors of resource sharing requests (issue 6 §4), under ``certfree.errors``::

    CertfreeError
    ├── Conflict
    │   └── GrantStateConflict      409 the grant is not in a state that allows this step
    │                               (approve/refuse a decided request, revoke a refused one)
    │       └── DuplicateRequest    409 a pending or active grant already covers the demand
    └── InvalidInput
        └── InvalidGrantRequest     422 a field of a request or decision is wrong (names it)

Refusals of a request by share type are not errors: the request is recorded as ``refused``
with the reason, so the consumer sees it in its list.
"""

from __future__ import annotations

from certfree.errors import Conflict, InvalidInput

__all__ = ["DuplicateRequest", "GrantStateConflict", "InvalidGrantRequest"]


class GrantStateConflict(Conflict):
    slug = "grant-state-conflict"
    title = "Grant is not in a state that allows this"
    title_zh = "共享授权当前状态不允许此操作"


class DuplicateRequest(GrantStateConflict):
    slug = "grant-request-duplicate"
    title = "Resource already requested for this demand"
    title_zh = "该需求已申请过此资源"


class InvalidGrantRequest(InvalidInput):
    slug = "invalid-grant-request"
    title = "Invalid sharing request or decision"
    title_zh = "共享申请或审批信息有误"
