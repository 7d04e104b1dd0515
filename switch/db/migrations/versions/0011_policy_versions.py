"""Policy versions: every change to a state's policy kept with its parent,
author, comment and origin; room for a promotion's evidence and approval.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policy_changes") as batch:
        batch.add_column(sa.Column("parent", sa.String(80), nullable=True))
        batch.add_column(sa.Column("author", sa.String(160), nullable=True))
        batch.add_column(sa.Column("comment", sa.Text, nullable=True))
        # Every row before this migration was a PUT.
        batch.add_column(sa.Column("origin", sa.String(16), nullable=False, server_default="put"))
        batch.add_column(sa.Column("evidence", sa.Text, nullable=True))
        batch.add_column(sa.Column("approved_by", sa.String(160), nullable=True))
    op.create_index("ix_policy_changes_version", "policy_changes", ["state", "version"])


def downgrade() -> None:
    op.drop_index("ix_policy_changes_version", "policy_changes")
    with op.batch_alter_table("policy_changes") as batch:
        for column in ("approved_by", "evidence", "origin", "comment", "author", "parent"):
            batch.drop_column(column)
