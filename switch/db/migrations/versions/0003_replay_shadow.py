"""Outcomes carry the request as policy saw it (for replay and reports) and
the shadow (candidate policy) decision.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("received_at", sa.DateTime(timezone=True)),
    ("sender_ori", sa.String(16)),
    ("message_key", sa.String(8)),
    ("message_reason", sa.String(8)),
    ("shadow_decision", sa.String(8)),
    ("shadow_rule", sa.String(128)),
    ("shadow_version", sa.String(80)),
)


def upgrade() -> None:
    with op.batch_alter_table("audit_outcomes") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind))
        batch.add_column(sa.Column("image", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_audit_outcomes_state_received", "audit_outcomes", ["state", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_outcomes_state_received", "audit_outcomes")
    with op.batch_alter_table("audit_outcomes") as batch:
        batch.drop_column("image")
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
