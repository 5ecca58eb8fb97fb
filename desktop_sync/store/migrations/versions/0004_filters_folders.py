"""Users' sync filters (appointments, contacts, tasks) and tracked folders of mailboxes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sync_filters_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_filters")),
        sa.UniqueConstraint("user_id", "record_type", "name", name=op.f("uq_sync_filters_user_id_record_type_name")),
    )
    with op.batch_alter_table("sync_filters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_filters_user_id"), ["user_id"], unique=False)

    op.create_table(
        "tracked_folders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("folder_id", sa.String(length=1000), nullable=False),
        sa.Column("folder_name", sa.String(length=1000), nullable=False),
        sa.Column("regarding_type", sa.String(length=20), nullable=True),
        sa.Column("regarding_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mailbox_id"], ["mailboxes.id"], name=op.f("fk_tracked_folders_mailbox_id_mailboxes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_folders")),
        sa.UniqueConstraint("mailbox_id", "folder_id", name=op.f("uq_tracked_folders_mailbox_id_folder_id")),
    )
    with op.batch_alter_table("tracked_folders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracked_folders_mailbox_id"), ["mailbox_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracked_folders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_folders_mailbox_id"))

    op.drop_table("tracked_folders")
    with op.batch_alter_table("sync_filters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_filters_user_id"))

    op.drop_table("sync_filters")
