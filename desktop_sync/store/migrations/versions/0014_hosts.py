"""Several engine hosts: each host's heartbeat says until when it is alive and when its mailboxes were
taken over (a lost host); connection slots hold a profile's (or a mailbox's) connection limit for
every host together, each slot with its holder and an expiry the holder's heartbeat renews; a host
waiting for a slot says so, for the others to close connections they keep idle.

Revision ID: 0014_hosts
Revises: 0013
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_hosts"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("engine_hosts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("taken_over_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "connection_slots",
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key_id", "number", name=op.f("pk_connection_slots")),
    )
    with op.batch_alter_table("connection_slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connection_slots_holder"), ["holder"], unique=False)
    op.create_table(
        "connection_waits",
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key_id", "holder", name=op.f("pk_connection_waits")),
    )


def downgrade() -> None:
    op.drop_table("connection_waits")
    with op.batch_alter_table("connection_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connection_slots_holder"))
    op.drop_table("connection_slots")
    with op.batch_alter_table("engine_hosts", schema=None) as batch_op:
        batch_op.drop_column("taken_over_at")
        batch_op.drop_column("expires_at")
