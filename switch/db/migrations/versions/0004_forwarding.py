"""Store-and-forward: the forward queue and admin out-of-service marks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forward_queue",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("destination", sa.String(16), nullable=False),
        sa.Column("state", sa.String(4), nullable=False),
        sa.Column("sender_ori", sa.String(16), nullable=False),
        sa.Column("message_key", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_forward_queue_status", "forward_queue", ["status", "state", "seq"])
    op.create_table(
        "service_status",
        sa.Column("state", sa.String(4), primary_key=True),
        sa.Column("message_key", sa.String(8), primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("service_status")
    op.drop_index("ix_forward_queue_status", "forward_queue")
    op.drop_table("forward_queue")
