"""Failed items are named by what a person knows: the mail's subject, sender and date (or the record's).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("failed_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("sender", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("item_date", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("failed_items", schema=None) as batch_op:
        batch_op.drop_column("item_date")
        batch_op.drop_column("sender")
        batch_op.drop_column("subject")
