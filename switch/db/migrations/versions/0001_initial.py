"""The audit records, their outcomes, mailboxes and API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_records",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("identity", sa.String(64)),
        sa.Column("sender_ori", sa.String(16)),
        sa.Column("message_key", sa.String(8)),
        sa.Column("control", sa.String(16)),
        sa.Column("reason", sa.String(8)),
        sa.Column("destinations", sa.String(128)),
        sa.Column("fields", sa.Text),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("er_code", sa.String(8)),
        sa.Column("http_status", sa.Integer, nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("raw", sa.Text),
        sa.Column("latency_ms", sa.Float, nullable=False),
    )
    op.create_index("ix_audit_records_sender", "audit_records", ["sender_ori", "seq"])
    op.create_table(
        "audit_outcomes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("destination", sa.String(16), nullable=False),
        sa.Column("state", sa.String(4)),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("rule", sa.String(128)),
        sa.Column("reason", sa.Text),
        sa.Column("policy_version", sa.String(80), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("response_key", sa.String(8)),
        sa.Column("response", sa.Text),
        sa.Column("latency_ms", sa.Float, nullable=False),
    )
    op.create_index("ix_audit_outcomes_message_id", "audit_outcomes", ["message_id"])
    op.create_index("ix_audit_outcomes_state", "audit_outcomes", ["state", "seq"])
    op.create_table(
        "mailbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ori", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_mailbox_ori", "mailbox", ["ori", "seq"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("ori", sa.String(16)),
        sa.Column("admin_scope", sa.String(8)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_table("mailbox")
    op.drop_table("audit_outcomes")
    op.drop_table("audit_records")
