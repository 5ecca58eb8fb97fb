"""Initial CRM store: users, queues, CRM records, profiles, mailboxes, activities, engine bookkeeping.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("crm_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("crm_id", name=op.f("uq_accounts_crm_id")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_email"), ["email"], unique=False)

    op.create_table(
        "counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("labels", sa.String(length=500), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counters")),
        sa.UniqueConstraint("name", "labels", name=op.f("uq_counters_name_labels")),
    )
    op.create_table(
        "email_server_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("incoming_host", sa.String(length=255), nullable=False),
        sa.Column("incoming_port", sa.Integer(), nullable=False),
        sa.Column("incoming_security", sa.String(length=20), nullable=False),
        sa.Column("outgoing_host", sa.String(length=255), nullable=True),
        sa.Column("outgoing_port", sa.Integer(), nullable=True),
        sa.Column("outgoing_security", sa.String(length=20), nullable=True),
        sa.Column("ews_url", sa.String(length=2000), nullable=True),
        sa.Column("auth", sa.String(length=20), nullable=False),
        sa.Column("credentials_on", sa.String(length=20), nullable=False),
        sa.Column("login", sa.String(length=320), nullable=True),
        sa.Column("max_connections", sa.Integer(), nullable=False),
        sa.Column("timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("min_poll_seconds", sa.Integer(), nullable=False),
        sa.Column("process_email_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ca_file", sa.String(length=4096), nullable=True),
        sa.Column("allow_insecure", sa.Boolean(), nullable=False),
        sa.Column("delete_after_download", sa.Boolean(), nullable=False),
        sa.Column("tracking_token_prefix", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_server_profiles")),
        sa.UniqueConstraint("name", name=op.f("uq_email_server_profiles_name")),
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column("crm_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("crm_id", name=op.f("uq_leads_crm_id")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leads_email"), ["email"], unique=False)

    op.create_table(
        "queues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("crm_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queues")),
        sa.UniqueConstraint("crm_id", name=op.f("uq_queues_crm_id")),
        sa.UniqueConstraint("email", name=op.f("uq_queues_email")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("crm_id", sa.String(length=64), nullable=True),
        sa.Column("tracking", sa.String(length=20), nullable=False),
        sa.Column("auto_create_contacts", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("crm_id", name=op.f("uq_users_crm_id")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("organizer", sa.String(length=320), nullable=True),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("regarding_type", sa.String(length=20), nullable=True),
        sa.Column("regarding_id", sa.Integer(), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["users.id"],
            name=op.f("fk_appointments_owner_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_owner_user_id"), ["owner_user_id"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("crm_id", sa.String(length=64), nullable=True),
        sa.Column("created_from_email", sa.Boolean(), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_contacts_account_id_accounts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_contacts_owner_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("crm_id", name=op.f("uq_contacts_crm_id")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_email"), ["email"], unique=False)

    op.create_table(
        "mailboxes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("login", sa.String(length=320), nullable=True),
        sa.Column("approval", sa.String(length=20), nullable=False),
        sa.Column("incoming_method", sa.String(length=20), nullable=False),
        sa.Column("incoming_enabled", sa.Boolean(), nullable=False),
        sa.Column("incoming_test_status", sa.String(length=20), nullable=False),
        sa.Column("incoming_failed_step", sa.String(length=100), nullable=True),
        sa.Column("incoming_tested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outgoing_method", sa.String(length=20), nullable=False),
        sa.Column("outgoing_enabled", sa.Boolean(), nullable=False),
        sa.Column("outgoing_test_status", sa.String(length=20), nullable=False),
        sa.Column("outgoing_failed_step", sa.String(length=100), nullable=True),
        sa.Column("outgoing_tested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("act_method", sa.String(length=20), nullable=False),
        sa.Column("act_enabled", sa.Boolean(), nullable=False),
        sa.Column("act_test_status", sa.String(length=20), nullable=False),
        sa.Column("act_failed_step", sa.String(length=100), nullable=True),
        sa.Column("act_tested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("process_email_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_forward_mailbox", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["email_server_profiles.id"],
            name=op.f("fk_mailboxes_profile_id_email_server_profiles"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"], ["queues.id"], name=op.f("fk_mailboxes_queue_id_queues"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mailboxes_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailboxes")),
        sa.UniqueConstraint("address", name=op.f("uq_mailboxes_address")),
        sa.UniqueConstraint("queue_id", name=op.f("uq_mailboxes_queue_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_mailboxes_user_id")),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("percent_complete", sa.Integer(), nullable=False),
        sa.Column("regarding_type", sa.String(length=20), nullable=True),
        sa.Column("regarding_id", sa.Integer(), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_tasks_owner_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_owner_user_id"), ["owner_user_id"], unique=False)

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=True),
        sa.Column("profile_id", sa.Integer(), nullable=True),
        sa.Column("item_ref", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mailbox_id"], ["mailboxes.id"], name=op.f("fk_alerts_mailbox_id_mailboxes"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["email_server_profiles.id"],
            name=op.f("fk_alerts_profile_id_email_server_profiles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_mailbox_id"), ["mailbox_id"], unique=False)
        batch_op.create_index("ix_alerts_open", ["cleared_at", "severity"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_profile_id"), ["profile_id"], unique=False)

    op.create_table(
        "email_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("in_reply_to", sa.String(length=998), nullable=True),
        sa.Column("references", sa.Text(), nullable=True),
        sa.Column("conversation_index", sa.String(length=200), nullable=True),
        sa.Column("tracking_token", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("server_arrival_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepting_mailbox_id", sa.Integer(), nullable=True),
        sa.Column("correlation_method", sa.String(length=30), nullable=True),
        sa.Column("correlated_activity_id", sa.Integer(), nullable=True),
        sa.Column("tracked_reason", sa.String(length=200), nullable=True),
        sa.Column("regarding_type", sa.String(length=20), nullable=True),
        sa.Column("regarding_id", sa.Integer(), nullable=True),
        sa.Column("send_claim_owner", sa.String(length=100), nullable=True),
        sa.Column("send_claim_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_step", sa.String(length=30), nullable=True),
        sa.Column("send_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepting_mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_email_activities_accepting_mailbox_id_mailboxes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["correlated_activity_id"],
            ["email_activities.id"],
            name=op.f("fk_email_activities_correlated_activity_id_email_activities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_email_activities_mailbox_id_mailboxes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_activities")),
    )
    with op.batch_alter_table("email_activities", schema=None) as batch_op:
        batch_op.create_index("ix_email_activities_message_id", ["message_id"], unique=False)
        batch_op.create_index("ix_email_activities_status", ["status"], unique=False)

    op.create_table(
        "failed_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("item_ref", sa.String(length=1000), nullable=False),
        sa.Column("folder", sa.String(length=1000), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=True),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_failed_items_mailbox_id_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_items")),
        sa.UniqueConstraint(
            "mailbox_id", "channel", "item_ref", name=op.f("uq_failed_items_mailbox_id_channel_item_ref")
        ),
    )
    op.create_table(
        "item_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("server_id", sa.String(length=1000), nullable=False),
        sa.Column("folder", sa.String(length=1000), nullable=True),
        sa.Column("change_key", sa.String(length=1000), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_item_links_mailbox_id_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_links")),
        sa.UniqueConstraint(
            "mailbox_id",
            "record_type",
            "server_id",
            name=op.f("uq_item_links_mailbox_id_record_type_server_id"),
        ),
    )
    with op.batch_alter_table("item_links", schema=None) as batch_op:
        batch_op.create_index("ix_item_links_local", ["record_type", "local_id"], unique=False)

    op.create_table(
        "server_cursors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("folder", sa.String(length=1000), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_server_cursors_mailbox_id_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_cursors")),
        sa.UniqueConstraint(
            "mailbox_id", "channel", "folder", name=op.f("uq_server_cursors_mailbox_id_channel_folder")
        ),
    )
    op.create_table(
        "activity_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("record_type", sa.String(length=20), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["email_activities.id"],
            name=op.f("fk_activity_parties_activity_id_email_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_parties")),
    )
    with op.batch_alter_table("activity_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_parties_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activity_parties_address"), ["address"], unique=False)

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("content_id", sa.String(length=998), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("skipped_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["email_activities.id"],
            name=op.f("fk_attachments_activity_id_email_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_activity_id"), ["activity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_activity_id"))

    op.drop_table("attachments")
    with op.batch_alter_table("activity_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_parties_address"))
        batch_op.drop_index(batch_op.f("ix_activity_parties_activity_id"))

    op.drop_table("activity_parties")
    op.drop_table("server_cursors")
    with op.batch_alter_table("item_links", schema=None) as batch_op:
        batch_op.drop_index("ix_item_links_local")

    op.drop_table("item_links")
    op.drop_table("failed_items")
    with op.batch_alter_table("email_activities", schema=None) as batch_op:
        batch_op.drop_index("ix_email_activities_status")
        batch_op.drop_index("ix_email_activities_message_id")

    op.drop_table("email_activities")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_profile_id"))
        batch_op.drop_index("ix_alerts_open")
        batch_op.drop_index(batch_op.f("ix_alerts_mailbox_id"))

    op.drop_table("alerts")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_owner_user_id"))

    op.drop_table("tasks")
    op.drop_table("mailboxes")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_email"))

    op.drop_table("contacts")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointments_owner_user_id"))

    op.drop_table("appointments")
    op.drop_table("users")
    op.drop_table("queues")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_email"))

    op.drop_table("leads")
    op.drop_table("email_server_profiles")
    op.drop_table("counters")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_email"))

    op.drop_table("accounts")
