"""backfill jobs: the organ that ran each (its department admin sees its own runs)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 18:21:26.068102
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Jobs run before this revision stay without an organ: only the bureau sees them.
    with op.batch_alter_table("cert_backfill_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issuer_uscc", sa.String(length=18), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_cert_backfill_jobs_issuer_uscc"), ["issuer_uscc"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cert_backfill_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cert_backfill_jobs_issuer_uscc"))
        batch_op.drop_column("issuer_uscc")
