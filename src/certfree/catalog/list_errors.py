"""Errors of the published supply and demand lists, under ``certfree.errors``::

CertfreeError
├── NotFound
│   └── ListNotPublished    404 no snapshot of that list (on that date)
└── InvalidInput
    └── InvalidListRequest  422 an unknown list kind, date or export format (names it)
"""

from __future__ import annotations

from certfree.errors import InvalidInput, NotFound

__all__ = ["InvalidListRequest", "ListNotPublished"]


class ListNotPublished(NotFound):
    slug = "list-not-published"
    title = "List not published"
    title_zh = "清单尚未发布"


class InvalidListRequest(InvalidInput):
    slug = "invalid-list-request"
    title = "Invalid list request"
    title_zh = "清单请求有误"
