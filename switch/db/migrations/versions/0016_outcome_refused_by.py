"""Outcomes say who refused a query on its state's policy: Nlets, the state's
own switch or the DMV (`refused_by`: nlets | state-switch | dmv), NULL when
it was not refused.

The column is in the audit chain's hash (switch.audit.chain appends a later
column as [name, value] when it is not NULL), so who refused is as
tamper-evident as the decision itself; every older row is NULL, so their
hashes stand and `switch audit verify` passes on old and new rows alike. A
deny among the older rows was refused at Nlets: before this column, that was
the only place a block could happen.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
# After 0015, the audit record's form.
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_outcomes") as batch:
        batch.add_column(sa.Column("refused_by", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_outcomes") as batch:
        batch.drop_column("refused_by")
