"""Admin acts, claimed ORIs and aggregated refusals on audit records; the
keys, policy changes and sent notices already there adopted into the chain
as one baseline act, so `switch audit verify` can cross-check them from now.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from switch.audit.acts import Actor
from switch.audit.crosscheck import adopt

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = (
    ("kind", sa.String(8)),
    ("act", sa.String(32)),
    ("target", sa.String(128)),
    ("state", sa.String(4)),
    ("claimed_ori", sa.String(16)),
    ("client", sa.String(64)),
    ("count", sa.Integer()),
)
WHERE = sa.text("kind IS NOT NULL")


def upgrade() -> None:
    # NULL on every row already there: their chain hashes stay as they are.
    with op.batch_alter_table("audit_records") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_index(
        "ix_audit_records_admin",
        "audit_records",
        ["kind", "seq"],
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )
    # Trust on first use: what the tables hold now is what acts account for.
    adopt(op.get_bind(), Actor("migration 0009", "alembic upgrade 0009"))


def downgrade() -> None:
    op.drop_index("ix_audit_records_admin", "audit_records")
    with op.batch_alter_table("audit_records") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
