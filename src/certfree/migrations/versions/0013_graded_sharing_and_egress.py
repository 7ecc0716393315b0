"""grade-checked sharing approvals and the count of important data leaving a node

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certfree.storage.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_UTC = certfree.storage.base.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grade", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("legal_basis", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("legal_basis_text", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("approvals", sa.JSON(), nullable=True))

    op.create_table(
        "grant_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=True),
        sa.Column("at", _UTC(timezone=True), nullable=False),
        sa.Column("data_items", sa.JSON(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("legal_basis", sa.String(length=32), nullable=True),
        sa.Column("legal_basis_text", sa.String(length=255), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["grants.id"], name=op.f("fk_grant_decisions_grant_id_grants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_decisions")),
    )
    with op.batch_alter_table("grant_decisions", schema=None) as batch_op:
        batch_op.create_index("ix_grant_decisions_at", ["at"], unique=False)
        batch_op.create_index("ix_grant_decisions_grant", ["grant_id"], unique=False)

    op.create_table(
        "egress_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", _UTC(timezone=True), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("question", sa.String(length=64), nullable=True),
        sa.Column("resource_code", sa.String(length=48), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("data_class", sa.String(length=64), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("important", sa.Boolean(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("service_item", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_egress_records")),
    )
    with op.batch_alter_table("egress_records", schema=None) as batch_op:
        batch_op.create_index("ix_egress_records_day", ["day"], unique=False)
        batch_op.create_index("ix_egress_records_recipient", ["recipient"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("egress_records", schema=None) as batch_op:
        batch_op.drop_index("ix_egress_records_recipient")
        batch_op.drop_index("ix_egress_records_day")
    op.drop_table("egress_records")
    with op.batch_alter_table("grant_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_grant_decisions_grant")
        batch_op.drop_index("ix_grant_decisions_at")
    op.drop_table("grant_decisions")
    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.drop_column("approvals")
        batch_op.drop_column("legal_basis_text")
        batch_op.drop_column("legal_basis")
        batch_op.drop_column("grade")
