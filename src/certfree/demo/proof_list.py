"""The demo province's proof list, read from the data files in ``certfree/demo/data``."""

from __future__ import annotations

from importlib import resources

from sqlalchemy.orm import Session

from certfree.proofs import current_version, import_proof_list, publish

__all__ = ["DEMO_FILES", "load_demo_list"]

DEMO_FILES = ("proof_items.csv",)


def load_demo_list(session: Session, actor: str) -> int:
    """Import the demo list (idempotent) and publish version 1 if nothing is published yet.

    Returns the number of items in the demo files. The items are demo data: their legal bases
    are real laws and regulations cited as closely as we could, but the list is no official one.
    """
    count = 0
    for name in DEMO_FILES:
        data = (resources.files("certfree.demo") / "data" / name).read_bytes()
        report = import_proof_list(session, data, name, actor, reason="演示省证明事项清单")
        count += len(report.added) + len(report.amended) + len(report.unchanged)
    if current_version(session) is None:
        publish(session, actor, "演示省证明事项清单首次发布")
    return count
