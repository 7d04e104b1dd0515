"""The live flow between hubs sharing one PostgreSQL database: events a hub
wrote for watchers on the others, read by the id its NOTIFY names
(switch/app/shared_flow.py). Made on SQLite too, where nothing writes it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_hub_events_at", "hub_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_hub_events_at", "hub_events")
    op.drop_table("hub_events")
