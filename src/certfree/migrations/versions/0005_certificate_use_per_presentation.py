"""certificate use log: one record per presentation per verifier

Revision ID: certificate_use_per_presentation
Revises: issue5
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "certificate_use_per_presentation"
down_revision: str | None = "issue5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cert_uses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("presentation_sha256", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "uq_cert_uses_verifier_presentation",
            ["verifier", "presentation_sha256"],
            unique=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("cert_uses", schema=None) as batch_op:
        batch_op.drop_index("uq_cert_uses_verifier_presentation")
        batch_op.drop_column("presentation_sha256")
