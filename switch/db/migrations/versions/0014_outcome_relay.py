"""Outcomes carry the live relay flag: the pattern and the refused original
a query is likely a relay of (switch.core.relays), NULL otherwise. NULL on
every older row, so the audit chain's hashes of those rows stand.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_outcomes") as batch:
        batch.add_column(sa.Column("relay", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_outcomes") as batch:
        batch.drop_column("relay")
