"""Errors of the catalog domain, under ``certfree.errors``; each names what is at fault::

    CertfreeError
    ├── CatalogError                          resources, demands and the harvest
    │   ├── ResourceNotFound (NotFound)       404 no resource with that code
    │   ├── DemandNotFound (NotFound)         404 no demand with that id
    │   ├── CatalogConflict (Conflict)        409 e.g. a resource code already taken
    │   ├── InvalidResource (InvalidInput)    422 a metadata field of a resource (names it)
    │   ├── InvalidDemand (InvalidInput)      422 a field of a demand (names it)
    │   ├── CatalogImportRejected (RowsRejected)  422 rows of an imported file; nothing stored
    │   └── HarvestFailed                     one node's changes could not be taken this time
    │       ├── NodeUnreachable               503 no connection, no answer in time, server error
    │       ├── HarvestRefused                403 the node refused our signed request
    │       └── InvalidFeed                   502 the node answered something not its feed
    ├── NotFound
    │   ├── ListNotPublished                  404 no snapshot of that list (on that date)
    │   └── GrantNotFound                     404 no grant with that id
    ├── InvalidInput
    │   ├── InvalidListRequest                422 an unknown list kind, date or export format
    │   └── InvalidGrantRequest               422 a field of a sharing request or decision
    ├── Conflict
    │   ├── GrantRevoked                      409 the grant is already revoked
    │   └── GrantStateConflict                409 the grant's state does not allow this step
    │       │                                     (decide a decided request, revoke a refusal)
    │       └── DuplicateRequest              409 a pending or active grant covers the demand
    └── AuthError
        └── Forbidden
            ├── GrantRefused                  403 no usable grant covers the request (``reason``)
            └── ApproverNotAllowed            403 graded data: not an approver of the right level
                                                  or organisation (``grants.grading``)

A refusal carries its reason slug (:class:`GrantReason`) in the problem document. Refusals of
a resource request by share type are not errors: the request is recorded as ``refused`` with
the reason, so the consumer sees it in its list. The harvest reports a :class:`HarvestFailed`
per node and goes on with the others.
"""

from __future__ import annotations

import enum
from typing import Any

from certfree.errors import CertfreeError, Conflict, Forbidden, InvalidInput, NotFound
from certfree.nodes.feeds import FeedFailed
from certfree.tabular import RowsRejected

__all__ = [
    "ApproverNotAllowed",
    "CatalogConflict",
    "CatalogError",
    "CatalogImportRejected",
    "DemandNotFound",
    "DuplicateRequest",
    "GrantNotFound",
    "GrantReason",
    "GrantRefused",
    "GrantRevoked",
    "GrantStateConflict",
    "HarvestFailed",
    "HarvestRefused",
    "InvalidDemand",
    "InvalidFeed",
    "InvalidGrantRequest",
    "InvalidListRequest",
    "InvalidResource",
    "ListNotPublished",
    "NodeUnreachable",
    "ResourceNotFound",
]


# -- resources and demands ------------------------------------------------------------------


class CatalogError(CertfreeError):
    """Base of the errors raised by the resource catalog, the demand list and the harvest."""


class ResourceNotFound(CatalogError, NotFound):
    slug = "resource-not-found"
    title = "Data resource not found"
    title_zh = "数据资源不存在"


class DemandNotFound(CatalogError, NotFound):
    slug = "demand-not-found"
    title = "Data demand not found"
    title_zh = "数据需求不存在"


class CatalogConflict(CatalogError, Conflict):
    slug = "catalog-conflict"
    title = "Catalog conflict"
    title_zh = "与数据目录现状冲突"


class InvalidResource(CatalogError, InvalidInput):
    slug = "invalid-resource"
    title = "Invalid data resource"
    title_zh = "数据资源信息有误"


class InvalidDemand(CatalogError, InvalidInput):
    slug = "invalid-demand"
    title = "Invalid data demand"
    title_zh = "数据需求信息有误"


class CatalogImportRejected(CatalogError, RowsRejected):
    slug = "catalog-import-rejected"
    title = "Catalog import rejected; nothing stored"
    title_zh = "目录导入被拒绝，未保存任何内容"


# -- harvesting other nodes' catalogs (catalog.harvest) -------------------------------------


class HarvestFailed(CatalogError, FeedFailed):
    """Base: harvesting ``node`` failed for ``reason`` (``status_word``: the report's status)."""


class NodeUnreachable(HarvestFailed):
    status = 503
    slug = "node-unreachable"
    title = "Node unreachable"
    title_zh = "节点无法访问"
    status_word = "unreachable"


class HarvestRefused(HarvestFailed):
    status = 403
    slug = "harvest-refused"
    title = "Harvest refused by the node"
    title_zh = "节点拒绝目录采集"
    status_word = "refused"


class InvalidFeed(HarvestFailed):
    status = 502
    slug = "invalid-feed"
    title = "Invalid change feed"
    title_zh = "节点返回的目录变更无效"
    status_word = "invalid"


# -- the published supply and demand lists --------------------------------------------------


class ListNotPublished(NotFound):
    slug = "list-not-published"
    title = "List not published"
    title_zh = "清单尚未发布"


class InvalidListRequest(InvalidInput):
    slug = "invalid-list-request"
    title = "Invalid list request"
    title_zh = "清单请求有误"


# -- sharing grants and resource requests ---------------------------------------------------


class GrantReason(enum.StrEnum):
    """Why a request is not covered by a grant; stable slugs that clients act on."""

    NO_GRANT = "no_grant"
    NOT_YET_VALID = "grant_not_yet_valid"
    EXPIRED = "grant_expired"
    REVOKED = "grant_revoked"
    WRONG_PURPOSE = "wrong_purpose"
    DATA_ITEM_NOT_ALLOWED = "data_item_not_allowed"

    @property
    def zh(self) -> str:
        return _ZH[self]


_ZH = {
    GrantReason.NO_GRANT: "没有共享授权",
    GrantReason.NOT_YET_VALID: "共享授权尚未生效",
    GrantReason.EXPIRED: "共享授权已过期",
    GrantReason.REVOKED: "共享授权已撤销",
    GrantReason.WRONG_PURPOSE: "共享授权不含此服务事项（用途不符）",
    GrantReason.DATA_ITEM_NOT_ALLOWED: "共享授权不含所需数据项",
}


class GrantRefused(Forbidden):
    slug = "grant-refused"
    title = "Not covered by a sharing grant"
    title_zh = "无共享授权"

    def __init__(self, reason: GrantReason, detail: str) -> None:
        super().__init__(f"{reason.zh}：{detail}")
        self.reason = reason

    def problem_extensions(self) -> dict[str, Any]:
        return {"reason": self.reason.value}


class ApproverNotAllowed(Forbidden):
    """A decision on a request of graded data by someone the grade does not allow: a
    department other than the provider, the bureau where the provider decides, or anyone but
    the bureau where its approval or override is needed (数据安全法 第21条)."""

    slug = "grant-approver-not-allowed"
    title = "Not an approver of the right level for this data"
    title_zh = "无权审批此级别的数据共享"


class GrantNotFound(NotFound):
    slug = "grant-not-found"
    title = "Grant not found"
    title_zh = "未找到共享授权"


class GrantRevoked(Conflict):
    slug = "grant-revoked"
    title = "Grant already revoked"
    title_zh = "共享授权已撤销"


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
