"""OAuth 2.0 settings of a profile: the identity provider, the application's client id, the tenant
(Microsoft), the issuer (any OpenID Connect provider), the scopes and the authority host. Nothing
secret: refresh tokens and client secrets stay in the system keyring.

Profiles that already used OAuth (Exchange with client credentials, where the login held the client
id and the tenant was the mailboxes' domain) keep signing in the same way.

Revision ID: 0013
Revises: 0012_alerts
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012_alerts"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("oauth_provider", sa.String(20)),
    ("oauth_client_id", sa.String(200)),
    ("oauth_tenant", sa.String(255)),
    ("oauth_issuer", sa.String(2000)),
    ("oauth_scopes", sa.Text()),
    ("oauth_authority_host", sa.String(2000)),
)


def upgrade() -> None:
    with op.batch_alter_table("email_server_profiles", schema=None) as batch_op:
        for name, type_ in _COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    bind = op.get_bind()
    profiles = bind.execute(sa.text("SELECT id, login FROM email_server_profiles WHERE auth = 'oauth2'")).all()
    for profile_id, login in profiles:
        address = bind.execute(
            sa.text("SELECT MIN(address) FROM mailboxes WHERE profile_id = :id"), {"id": profile_id}
        ).scalar()
        tenant = address.rpartition("@")[2] if address and "@" in address else None
        bind.execute(
            sa.text(
                "UPDATE email_server_profiles SET oauth_provider = 'microsoft', oauth_client_id = :client, "
                "oauth_tenant = :tenant WHERE id = :id"
            ),
            {"client": login, "tenant": tenant, "id": profile_id},
        )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later, PostgreSQL): a batch copy of the table would
    # trip the foreign keys of the mailboxes that point at it
    for name, _type in reversed(_COLUMNS):
        op.execute(sa.text(f"ALTER TABLE email_server_profiles DROP COLUMN {name}"))
