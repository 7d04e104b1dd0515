"""Remove status (.04.), hub liveness, forward-queue leases and pending wait=0
deliveries.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_status") as batch:
        batch.add_column(sa.Column("forward", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "hub_instances",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("host", sa.String(128), nullable=True),
    )
    op.create_table(
        "forward_leases",
        sa.Column("state", sa.String(4), primary_key=True),
        sa.Column("holder", sa.String(32), nullable=False),
    )
    op.create_table(
        "pending_deliveries",
        sa.Column("message_id", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(32), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pending_deliveries")
    op.drop_table("forward_leases")
    op.drop_table("hub_instances")
    with op.batch_alter_table("service_status") as batch:
        batch.drop_column("forward")
