"""service evidences: the answer each expects (expect: answer field → allowed values)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 15:17:03.130796
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing evidence expects nothing: every yes/no field must be yes, as before.
    with op.batch_alter_table("service_evidences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expect", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("service_evidences", schema=None) as batch_op:
        batch_op.drop_column("expect")
