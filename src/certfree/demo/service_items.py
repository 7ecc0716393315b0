"""The demo province's service items for the pilot scenarios, from ``data/service_items.json``.

Marriage registration, moving in with relatives, real-estate transfer, the elderly card and
opening a business (with the fire-safety check a public venue needs), mapped to the demo
proof list, data-sharing questions and certificate types.
"""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy.orm import Session

from certfree.demo.proof_list import load_demo_list
from certfree.procedures import ServiceItemSpec, save_service_item
from certfree.procedures.spec_checks import ProofList

__all__ = ["DEMO_FILE", "demo_specs", "load_demo_items"]

DEMO_FILE = "service_items.json"


def demo_specs() -> list[ServiceItemSpec]:
    """The demo items as specs, read from the packaged data file."""
    text = (resources.files("certfree.demo") / "data" / DEMO_FILE).read_text("utf-8")
    return [ServiceItemSpec.model_validate(item) for item in json.loads(text)["items"]]


def load_demo_items(session: Session, actor: str) -> int:
    """Load the demo proof list (idempotent) and then the demo items; the number of items.

    Items already present are replaced, so loading twice leaves the same catalogue.
    """
    load_demo_list(session, actor)
    proof_list = ProofList(session)
    specs = demo_specs()
    for spec in specs:
        save_service_item(session, spec, actor, proof_list=proof_list)
    return len(specs)
