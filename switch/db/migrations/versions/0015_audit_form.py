"""Audit records keep the form a message arrived in: text, json or xml.

On audit_records, not a side table: the form is a fact of the message as
received (one per record, whatever its outcomes), and a refused message
has no outcome row to carry it. The chain hashes a column added later only
when it is not NULL (switch.audit.chain), so every older row, NULL here,
keeps its hash and `switch audit verify` passes on old and new rows alike;
a new row's form is covered by its hash like the rest of the record.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_records") as batch:
        batch.add_column(sa.Column("form", sa.String(8), nullable=True))


def downgrade() -> None:
    # Rows written with a form were hashed with it: after this they no longer verify.
    with op.batch_alter_table("audit_records") as batch:
        batch.drop_column("form")
