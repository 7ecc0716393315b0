"""The node registry table: the province, its 16 cities and their department nodes (1+16+N).

Node codes (the primary key):

* a region node is its GB/T 2260 division code — ``370000`` for the province (its big-data
  bureau, 山东省大数据局), ``370100`` for 济南市 (济南市大数据局);
* a department node is ``<division code>-<kind>``, the kind being a
  :class:`~certfree.nodes.departments.DepartmentKind` — ``370000-MZ`` is 山东省民政厅,
  ``370100-MZ`` is 济南市民政局.

So the code alone says where a node sits, and its parent is the region node of the same
division (a city's parent is the province).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from certfree.nodes.departments import DepartmentKind
from certfree.settings import NodeLevel
from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["Node", "NodeStatus"]


class NodeStatus(enum.StrEnum):
    """A node's standing in the exchange registry (X-Road: registration, then approval).

    ``pending`` until a bureau_admin approves its registration; only ``active`` nodes may send;
    a ``revoked`` node stays listed so that peers refuse it by name (revoked_sender).
    """

    PENDING = "pending"
    ACTIVE = "active"
    REVOKED = "revoked"


class Node(Base):
    """One node of the exchange cascade (a row per province, city and department node)."""

    __tablename__ = "nodes"
    __table_args__ = (Index("ix_nodes_parent_code", "parent_code"),)

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[NodeLevel] = mapped_column(enum_by_value(NodeLevel))
    parent_code: Mapped[str | None] = mapped_column(
        String(16), ForeignKey("nodes.code", ondelete="RESTRICT")
    )
    # GB/T 2260 code of the region the node serves.
    division_code: Mapped[str] = mapped_column(String(6))
    department: Mapped[DepartmentKind | None] = mapped_column(enum_by_value(DepartmentKind))
    # GB 32100 unified social credit code of the organ that runs the node.
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    endpoint_url: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The exchange's node registry: the node's public signing keys (RFC 7517 JWK Set) and its
    # standing; ``status_changed_at`` orders the versions of the signed registry.
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[NodeStatus] = mapped_column(
        enum_by_value(NodeStatus), default=NodeStatus.PENDING, server_default="pending"
    )
    registered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The key of the node's TLS certificate: SHA-256 of its SubjectPublicKeyInfo, base64url
    # (crypto.tls.fingerprint, the RFC 7469 pin); a sender refuses a peer showing another.
    tls_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # Where people and their wallets reach the node (its CERTFREE_PUBLIC_URL): the endpoint is
    # its exchange listener, which takes nodes' certificates only.
    public_url: Mapped[str | None] = mapped_column(String(255))
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"Node({self.code!r}, {self.name!r})"
