"""the register of relying parties (verifiers) and their scenarios

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certfree.storage.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "relying_parties",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "hotel",
                "hospital",
                "transport",
                "utility",
                "scenic_spot",
                "law_enforcement",
                "other",
                name="relyingpartykind",
                native_enum=False,
                length=16,
                create_constraint=False,
            ),
            nullable=False,
        ),
        sa.Column("jwk", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "suspended",
                name="relyingpartystatus",
                native_enum=False,
                length=16,
                create_constraint=False,
            ),
            nullable=False,
        ),
        sa.Column("registered_at", certfree.storage.base.UTCDateTime(), nullable=False),
        sa.Column("changed_at", certfree.storage.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("uscc", name=op.f("pk_relying_parties")),
    )
    op.create_table(
        "relying_party_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("title_en", sa.String(length=128), nullable=False),
        sa.Column("vcts", sa.JSON(), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_uscc"],
            ["relying_parties.uscc"],
            name=op.f("fk_relying_party_scenarios_party_uscc_relying_parties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relying_party_scenarios")),
        sa.UniqueConstraint(
            "party_uscc", "name", name=op.f("uq_relying_party_scenarios_party_uscc_name")
        ),
    )


def downgrade() -> None:
    op.drop_table("relying_party_scenarios")
    op.drop_table("relying_parties")
