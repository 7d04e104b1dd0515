"""Recent refusals: the index a `subject.refused_to` rule reads, shared by
every hub on the database.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recent_refusals",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(160), nullable=False),
        sa.Column("state", sa.String(4), nullable=False),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("requester_ori", sa.String(16), nullable=False),
        sa.Column("component", sa.String(16), nullable=False),
    )
    op.create_index("ix_recent_refusals_subject", "recent_refusals", ["subject", "refused_at"])
    op.create_index("ix_recent_refusals_at", "recent_refusals", ["refused_at"])


def downgrade() -> None:
    op.drop_index("ix_recent_refusals_at", table_name="recent_refusals")
    op.drop_index("ix_recent_refusals_subject", table_name="recent_refusals")
    op.drop_table("recent_refusals")
