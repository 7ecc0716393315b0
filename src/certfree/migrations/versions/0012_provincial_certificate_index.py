"""the province's index of certificates issued in the cascade

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certfree.storage.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # On every issuing node: each certificate row's number in the index feed (None until the
    # next read of the feed numbers it; rows issued before this revision are numbered then).
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("index_seq", sa.Integer(), nullable=True))
        batch_op.create_index("ix_certificates_index_seq", ["index_seq"], unique=False)
    op.create_table(
        "cert_index_feed",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cert_index_feed")),
    )
    # At the province.
    op.create_table(
        "cert_index_entries",
        sa.Column("identifier", sa.String(length=128), nullable=False),
        sa.Column("node_code", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(length=21), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("issuer_uscc", sa.String(length=18), nullable=False),
        sa.Column("issuer_node", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "issued",
                "suspended",
                "revoked",
                "expired",
                name="certstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("revocation_reason", sa.String(length=32), nullable=True),
        sa.Column(
            "status_changed_at", certfree.storage.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("issued_at", certfree.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("superseded_by", sa.String(length=128), nullable=True),
        sa.Column("holder_commitment", sa.String(length=64), nullable=False),
        sa.Column("harvested_at", certfree.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("identifier", name=op.f("pk_cert_index_entries")),
    )
    with op.batch_alter_table("cert_index_entries", schema=None) as batch_op:
        batch_op.create_index("ix_cert_index_entries_holder", ["holder_commitment"])
        batch_op.create_index("ix_cert_index_entries_issuer", ["issuer_uscc"])
        batch_op.create_index("ix_cert_index_entries_node", ["node_code", "seq"])
    op.create_table(
        "cert_index_harvest_state",
        sa.Column("node_code", sa.String(length=16), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.String(length=32), nullable=True),
        sa.Column(
            "last_attempt_at", certfree.storage.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_ok_at", certfree.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("node_code", name=op.f("pk_cert_index_harvest_state")),
    )
    op.create_table(
        "cert_index_node_trust",
        sa.Column("node_code", sa.String(length=16), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("issuers", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Integer(), nullable=True),
        sa.Column("fetched_at", certfree.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("node_code", name=op.f("pk_cert_index_node_trust")),
    )
    op.create_table(
        "cert_index_trust_serial",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("changed_at", certfree.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cert_index_trust_serial")),
    )


def downgrade() -> None:
    op.drop_table("cert_index_trust_serial")
    op.drop_table("cert_index_node_trust")
    op.drop_table("cert_index_harvest_state")
    with op.batch_alter_table("cert_index_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_cert_index_entries_node")
        batch_op.drop_index("ix_cert_index_entries_issuer")
        batch_op.drop_index("ix_cert_index_entries_holder")
    op.drop_table("cert_index_entries")
    op.drop_table("cert_index_feed")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_certificates_index_seq")
        batch_op.drop_column("index_seq")
