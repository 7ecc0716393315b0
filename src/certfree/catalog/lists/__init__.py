"""The published supply and demand lists (供需两张清单): dated snapshots and their exports.

* ``snapshots`` — publish a dated snapshot of each list, read it back, export it.
* ``finding`` — the rows of a snapshot a reader filters and searches for, page by page.
* ``spreadsheet`` — the streaming XLSX writer the exports use (ECMA-376 SpreadsheetML).
* ``models`` — the ``catalog_list_snapshots`` table.
"""

from certfree.catalog.lists.finding import find_rows
from certfree.catalog.lists.models import ListKind, ListSnapshot
from certfree.catalog.lists.snapshots import (
    COLUMNS,
    EXPORT_FORMATS,
    MATCH_TOP,
    SHANGHAI,
    export_snapshot,
    get_snapshot,
    list_rows,
    list_snapshots,
    publish_lists,
    snapshot_json,
    snapshot_rows,
)

__all__ = [
    "COLUMNS",
    "EXPORT_FORMATS",
    "MATCH_TOP",
    "SHANGHAI",
    "ListKind",
    "ListSnapshot",
    "export_snapshot",
    "find_rows",
    "get_snapshot",
    "list_rows",
    "list_snapshots",
    "publish_lists",
    "snapshot_json",
    "snapshot_rows",
]
