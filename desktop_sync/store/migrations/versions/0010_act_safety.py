"""ACT safety: tombstones of deleted CRM records, and plans the safety stop holds for confirmation.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "act_tombstones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_act_tombstones")),
        sa.UniqueConstraint("record_type", "local_id", name=op.f("uq_act_tombstones_record_type_local_id")),
    )
    op.create_table(
        "act_held_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_act_held_plans_mailbox_id_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_act_held_plans")),
        sa.UniqueConstraint("mailbox_id", "record_type", name=op.f("uq_act_held_plans_mailbox_id_record_type")),
    )


def downgrade() -> None:
    op.drop_table("act_held_plans")
    op.drop_table("act_tombstones")
