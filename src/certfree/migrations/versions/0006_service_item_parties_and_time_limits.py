"""service items: whose fact each requirement is (party), promised days, result certificate

Revision ID: 0006
Revises: certificate_use_per_presentation
Create Date: 2026-12-07 14:41:18.257821
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "certificate_use_per_presentation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("service_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("promised_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("result_cert_type", sa.String(length=21), nullable=True))

    # Existing requirements were all about the applicant.
    with op.batch_alter_table("service_requirements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("party", sa.String(length=16), server_default="applicant", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("service_requirements", schema=None) as batch_op:
        batch_op.drop_column("party")

    with op.batch_alter_table("service_items", schema=None) as batch_op:
        batch_op.drop_column("result_cert_type")
        batch_op.drop_column("promised_days")
