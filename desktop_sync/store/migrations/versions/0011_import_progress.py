"""An import's progress is stored with the mailbox's status: another process (the CLI) shows n of N and
the time left, instead of guessing an import from the schedule.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mailbox_status", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_done", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("import_total", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("import_base", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("import_started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("import_eta_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mailbox_status", schema=None) as batch_op:
        batch_op.drop_column("import_eta_at")
        batch_op.drop_column("import_started_at")
        batch_op.drop_column("import_base")
        batch_op.drop_column("import_total")
        batch_op.drop_column("import_done")
