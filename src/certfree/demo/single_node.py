"""The single node ``make run`` serves: the demo province with the whole demo population in its
database, answering for every demo department node itself (``CERTFREE_HOSTED_DEPARTMENTS=*``,
:mod:`certfree.exchange.protocol.hosting`).

``certfree demo init`` prepares it: the province lists itself in its own node registry, with
its keys and address, so that what it signs (replies, consent attestations) checks out against
the registry as on a cluster; and it is granted the demo service items' questions at every demo
department node, as the consumer of its own desks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from certfree.catalog import Grant
from certfree.demo.pilot_grants import load_demo_grants
from certfree.demo.province import demo_nodes
from certfree.exchange.protocol.registry import register_node
from certfree.nodes import Node, NodeStatus
from certfree.settings import NodeLevel

__all__ = ["grant_demo_departments", "list_province_itself"]


def list_province_itself(
    session: Session, code: str, *, jwks: Mapping[str, Any], endpoint: str
) -> bool:
    """Register and approve the province ``code`` in its own registry with ``jwks`` at
    ``endpoint``, unless it is listed so already or not a node of the register; whether
    anything changed."""
    node = session.get(Node, code)
    if node is None or (
        node.status is NodeStatus.ACTIVE
        and node.jwks == dict(jwks)
        and node.endpoint_url == endpoint
    ):
        return False
    register_node(session, code, jwks=jwks, endpoint_url=endpoint, approve=True)
    return True


def grant_demo_departments(session: Session, consumer: str) -> list[Grant]:
    """The demo grants of ``consumer`` at every demo department node (idempotent); the grants
    created."""
    departments = [str(row["code"]) for row in demo_nodes() if row["level"] is NodeLevel.DEPARTMENT]
    return load_demo_grants(session, [consumer], departments)
