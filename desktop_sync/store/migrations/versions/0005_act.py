"""Appointments, contacts and tasks both ways: mapped fields, link base values, and conflicts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "act_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("server_id", sa.String(length=1000), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("crm_value", sa.Text(), nullable=True),
        sa.Column("exchange_value", sa.Text(), nullable=True),
        sa.Column("kept", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["mailbox_id"], ["mailboxes.id"], name=op.f("fk_act_conflicts_mailbox_id_mailboxes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_act_conflicts")),
    )
    with op.batch_alter_table("act_conflicts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_act_conflicts_mailbox_id"), ["mailbox_id"], unique=False)

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("show_as", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("importance", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("recurrence", sa.Text(), nullable=True))

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mobile_phone", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("email2", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("job_title", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("street", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("city", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("postal_code", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("country", sa.String(length=200), nullable=True))

    with op.batch_alter_table("item_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base", sa.Text(), nullable=True))

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("starts_at")

    with op.batch_alter_table("item_links", schema=None) as batch_op:
        batch_op.drop_column("base")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("country")
        batch_op.drop_column("postal_code")
        batch_op.drop_column("city")
        batch_op.drop_column("street")
        batch_op.drop_column("job_title")
        batch_op.drop_column("email2")
        batch_op.drop_column("mobile_phone")

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("recurrence")
        batch_op.drop_column("importance")
        batch_op.drop_column("show_as")

    with op.batch_alter_table("act_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_act_conflicts_mailbox_id"))

    op.drop_table("act_conflicts")
