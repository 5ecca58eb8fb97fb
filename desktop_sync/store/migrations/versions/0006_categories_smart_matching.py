"""Exchange categories written back per profile, and the subject key smart matching looks up.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop_sync.domain.correlation import subject_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("email_server_profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tracked_category", sa.String(length=100), nullable=False, server_default="Tracked to CRM")
        )
        batch_op.add_column(sa.Column("tag_undeliverable", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("email_activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_key", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_email_activities_subject_key", ["subject_key"], unique=False)

    # the mail already tracked can be matched too: its tracking token, if any, is the profile's
    activities = sa.table(
        "email_activities",
        sa.column("id", sa.Integer()),
        sa.column("subject", sa.Text()),
        sa.column("subject_key", sa.String()),
        sa.column("mailbox_id", sa.Integer()),
    )
    bind = op.get_bind()
    prefixes: dict[int, str] = dict(
        bind.execute(
            sa.text(
                "SELECT m.id, p.tracking_token_prefix FROM mailboxes m"
                " JOIN email_server_profiles p ON p.id = m.profile_id"
            )
        ).all()
    )
    rows = bind.execute(sa.select(activities.c.id, activities.c.subject, activities.c.mailbox_id)).all()
    for activity_id, subject, mailbox_id in rows:
        key = subject_key(subject or "", prefixes.get(mailbox_id))
        if key is not None:
            bind.execute(activities.update().where(activities.c.id == activity_id).values(subject_key=key))


def downgrade() -> None:
    with op.batch_alter_table("email_activities", schema=None) as batch_op:
        batch_op.drop_index("ix_email_activities_subject_key")
        batch_op.drop_column("subject_key")
    with op.batch_alter_table("email_server_profiles", schema=None) as batch_op:
        batch_op.drop_column("tag_undeliverable")
        batch_op.drop_column("tracked_category")
