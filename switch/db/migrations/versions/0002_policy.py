"""Policy outcomes on the audit, the court registry, notices to subjects.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_outcomes") as batch:
        batch.add_column(sa.Column("warrant", sa.String(16)))
        batch.add_column(sa.Column("redacted", sa.String(128)))
        batch.add_column(sa.Column("obligations", sa.Text))
        batch.add_column(sa.Column("flagged", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("reported", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "warrants",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("form", sa.String(32), nullable=False),
        sa.Column("issued_to", sa.String(16), nullable=False),
        sa.Column("issued_by", sa.String(128), nullable=False),
        sa.Column("subject_oln", sa.String(32)),
        sa.Column("subject_name", sa.String(64)),
        sa.Column("subject_dob", sa.String(8)),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "notices",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(4), nullable=False),
        sa.Column("rule", sa.String(128)),
        sa.Column("requester_ori", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.String(10), nullable=False),
    )
    op.create_index("ix_notices_state", "notices", ["state", "seq"])


def downgrade() -> None:
    op.drop_table("notices")
    op.drop_table("warrants")
    with op.batch_alter_table("audit_outcomes") as batch:
        for column in ("reported", "flagged", "obligations", "redacted", "warrant"):
            batch.drop_column(column)
