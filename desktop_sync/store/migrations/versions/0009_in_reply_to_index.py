"""Replies recorded before their parent are found by their In-Reply-To when the parent is recorded.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_email_activities_in_reply_to", "email_activities", ["in_reply_to"])


def downgrade() -> None:
    op.drop_index("ix_email_activities_in_reply_to", table_name="email_activities")
