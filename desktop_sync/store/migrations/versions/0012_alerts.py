"""Alerts are stored as a code and its facts (JSON), not as English sentences: their title, cause and
fix are rendered when shown, in the reader's language. An alert stored before keeps its sentences as
the facts of the code ``legacy_text``, shown as they were written.

Revision ID: 0012_alerts
Revises: 0011
Create Date: 2026-12-08
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from desktop_sync.domain.messages import LEGACY_TEXT, explain

revision = "0012_alerts"
down_revision = "0011"
branch_labels = None
depends_on = None

_ALERTS = sa.table(
    "alerts",
    sa.column("id", sa.Integer()),
    sa.column("code", sa.String()),
    sa.column("title", sa.String()),
    sa.column("cause", sa.Text()),
    sa.column("fix", sa.Text()),
    sa.column("facts", sa.Text()),
    sa.column("says", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facts", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("says", sa.String(length=100), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_ALERTS.c.id, _ALERTS.c.title, _ALERTS.c.cause, _ALERTS.c.fix)).all()
    for row in rows:
        facts = {"title": row.title or "", "cause": row.cause or "", "fix": row.fix or ""}
        connection.execute(
            _ALERTS.update().where(_ALERTS.c.id == row.id).values(facts=json.dumps(facts), says=LEGACY_TEXT)
        )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.alter_column("facts", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("fix")
        batch_op.drop_column("cause")
        batch_op.drop_column("title")


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("cause", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("fix", sa.Text(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_ALERTS.c.id, _ALERTS.c.code, _ALERTS.c.facts, _ALERTS.c.says)).all()
    for row in rows:
        text = explain(row.says or row.code, **_facts(row.facts))  # in English, as alerts were stored
        connection.execute(
            _ALERTS.update()
            .where(_ALERTS.c.id == row.id)
            .values(title=text.title[:300], cause=text.cause, fix=text.fix)
        )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.alter_column("title", existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column("cause", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("fix", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("says")
        batch_op.drop_column("facts")


def _facts(stored: str | None) -> dict[str, str]:
    try:
        loaded = json.loads(stored or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
