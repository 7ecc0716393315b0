"""data-subject requests: corrections, objections, exports

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certfree.storage.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = certfree.storage.base.UTCDateTime


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        "subject_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("side", _enum("requestside", "home", "department"), nullable=False),
        sa.Column("subject_id", sa.String(length=18), nullable=False),
        sa.Column("home_code", sa.String(length=16), nullable=False),
        sa.Column("department_code", sa.String(length=16), nullable=False),
        sa.Column("fact", sa.String(length=32), nullable=False),
        sa.Column("data_item", sa.String(length=64), nullable=True),
        sa.Column("certificate_id", sa.String(length=128), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("current_value", sa.Text(), nullable=False),
        sa.Column("requested_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("requested_at", _UTC(timezone=True), nullable=False),
        sa.Column("deadline", _UTC(timezone=True), nullable=False),
        sa.Column(
            "status",
            _enum("correctionstatus", "pending", "accepted", "refused", "overdue"),
            nullable=False,
        ),
        sa.Column("answer_reason", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=128), nullable=True),
        sa.Column("answered_at", _UTC(timezone=True), nullable=True),
        sa.Column("previous_value", sa.Text(), nullable=True),
        sa.Column("reissued", sa.JSON(), nullable=False),
        sa.Column(
            "delivery",
            _enum("delivery", "nothing", "queued", "delivered", "refused"),
            nullable=False,
        ),
        sa.Column("delivery_attempts", sa.Integer(), nullable=False),
        sa.Column("last_delivery_error", sa.Text(), nullable=True),
        sa.Column("received_jws", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_requests")),
        sa.UniqueConstraint("request_id", "side", name=op.f("uq_subject_requests_request_id_side")),
    )
    with op.batch_alter_table("subject_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_subject_requests_department", ["department_code", "status"], unique=False
        )
        batch_op.create_index("ix_subject_requests_subject", ["subject_id"], unique=False)

    op.create_table(
        "subject_objections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_id", sa.String(length=18), nullable=False),
        sa.Column("use", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("made_at", _UTC(timezone=True), nullable=False),
        sa.Column("withdrawn_at", _UTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_objections")),
    )
    with op.batch_alter_table("subject_objections", schema=None) as batch_op:
        batch_op.create_index("ix_subject_objections_subject", ["subject_id", "use"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subject_objections", schema=None) as batch_op:
        batch_op.drop_index("ix_subject_objections_subject")
    op.drop_table("subject_objections")
    with op.batch_alter_table("subject_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_subject_requests_subject")
        batch_op.drop_index("ix_subject_requests_department")
    op.drop_table("subject_requests")
