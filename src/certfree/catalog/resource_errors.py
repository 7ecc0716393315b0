"""Errors of the resource catalog and demand list; each names the resource, demand or field::

CatalogError (CertfreeError)
├── ResourceNotFound (NotFound)       404 no resource with that code
├── DemandNotFound (NotFound)         404 no demand with that id
├── CatalogConflict (Conflict)        409 e.g. a resource code already taken
├── InvalidResource (InvalidInput)    422 a metadata field of a resource is wrong (names it)
├── InvalidDemand (InvalidInput)      422 a field of a demand is wrong (names it)
└── CatalogImportRejected (RowsRejected)  422 rows of an imported file are wrong; nothing stored

(Sharing-grant errors live in ``catalog.errors``.)
"""

from __future__ import annotations

from certfree.errors import CertfreeError, Conflict, InvalidInput, NotFound
from certfree.tabular import RowsRejected

__all__ = [
    "CatalogConflict",
    "CatalogError",
    "CatalogImportRejected",
    "DemandNotFound",
    "InvalidDemand",
    "InvalidResource",
    "ResourceNotFound",
]


class CatalogError(CertfreeError):
    """Base of the errors raised by the resource catalog and demand list."""


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
