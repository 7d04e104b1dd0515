"""Policy promotion: replays recorded as evidence against a candidate hash,
approvals of candidates, and the per-state setting that asks for one.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_replays",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("state", sa.String(4), nullable=False),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(160), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("act_id", sa.String(40), nullable=False),
    )
    op.create_index("ix_policy_replays_version", "policy_replays", ["state", "version"])
    op.create_table(
        "policy_approvals",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("state", sa.String(4), nullable=False),
        sa.Column("change_seq", sa.Integer, nullable=False),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(160), nullable=False),
    )
    op.create_index("ix_policy_approvals_change", "policy_approvals", ["state", "change_seq"])
    op.create_table(
        "policy_settings",
        sa.Column("state", sa.String(4), primary_key=True),
        sa.Column("require_approval", sa.Integer, nullable=False, server_default="0"),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(160), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("policy_settings")
    op.drop_index("ix_policy_approvals_change", table_name="policy_approvals")
    op.drop_table("policy_approvals")
    op.drop_index("ix_policy_replays_version", table_name="policy_replays")
    op.drop_table("policy_replays")
