"""Policy changes shared by every hub on one database.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_changes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("state", sa.String(4), nullable=False),
        sa.Column("candidate", sa.Integer, nullable=False, server_default="0"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(16), nullable=True),
    )
    op.create_index("ix_policy_changes_state", "policy_changes", ["state", "candidate", "seq"])


def downgrade() -> None:
    op.drop_index("ix_policy_changes_state", "policy_changes")
    op.drop_table("policy_changes")
