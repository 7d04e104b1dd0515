"""The audit hash chain: a place and a hash on every audit record and
outcome, and the chain's head. Rows already there are chained here, each
record and outcome in the order they were received.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import heapq
from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

from switch.audit.chain import GENESIS, V1_COLUMNS, content, link, utc_text
from switch.db.schema import audit_outcomes, audit_records

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("audit_records", "audit_outcomes")
_PAGE = 5_000


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("chain_pos", sa.BigInteger, nullable=True))
        op.add_column(table, sa.Column("chain_hash", sa.String(64), nullable=True))
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("pos", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("start_pos", sa.BigInteger, nullable=False),
        sa.Column("start_hash", sa.String(64), nullable=False),
    )
    pos, digest = _chain_existing(op.get_bind())
    op.execute(
        sa.text(
            "INSERT INTO audit_chain_head (id, pos, hash, start_pos, start_hash) "
            "VALUES (1, :pos, :hash, 1, :genesis)"
        ).bindparams(pos=pos, hash=digest, genesis=GENESIS)
    )
    # After the backfill: one index build instead of a million index updates.
    op.create_index("ix_audit_records_chain", "audit_records", ["chain_pos"], unique=True)
    op.create_index("ix_audit_outcomes_chain", "audit_outcomes", ["chain_pos"], unique=True)


def _pages(conn: sa.Connection, table: sa.Table) -> Iterator[tuple[str, int, int, bytes]]:
    """(received, table rank, seq, content) of each row, a page at a time by seq."""
    name = table.name
    rank = TABLES.index(name)
    # The columns the table had at this revision.
    columns = [table.c.seq, *(table.c[n] for n in V1_COLUMNS[name])]
    last = 0
    while True:
        rows = conn.execute(
            sa.select(*columns).where(table.c.seq > last).order_by(table.c.seq).limit(_PAGE)
        ).all()
        for row in rows:
            values = row._asdict()
            at = values["received_at"]
            # An outcome without a time goes after the timed rows.
            yield (utc_text(at) if at is not None else "~", rank, row.seq, content(name, values))
        if len(rows) < _PAGE:
            return
        last = rows[-1].seq


def _chain_existing(conn: sa.Connection) -> tuple[int, str]:
    pos, digest = 0, GENESIS
    saver = _Saver(conn)
    merged = heapq.merge(*(_pages(conn, t) for t in (audit_records, audit_outcomes)))
    for _, rank, seq, row_content in merged:
        pos += 1
        digest = link(digest, row_content)
        saver.add(rank, seq, pos, digest)
    saver.finish()
    return pos, digest


class _Saver:
    """Puts each row's link in its row: by key on SQLite; on PostgreSQL
    through COPY into a temporary table and one UPDATE per table, since
    row-by-row updates there take minutes on a million rows."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.pending: list[tuple[int, int, int, str]] = []
        if self.postgres:
            conn.exec_driver_sql(
                "CREATE TEMP TABLE chain_backfill "
                "(rank SMALLINT, seq BIGINT, pos BIGINT, hash TEXT) ON COMMIT DROP"
            )

    def add(self, rank: int, seq: int, pos: int, digest: str) -> None:
        self.pending.append((rank, seq, pos, digest))
        if len(self.pending) >= 4 * _PAGE:
            self.flush()

    def flush(self) -> None:
        if self.postgres:
            cursor = self.conn.connection.cursor()
            try:
                with cursor.copy("COPY chain_backfill (rank, seq, pos, hash) FROM STDIN") as copy:
                    for row in self.pending:
                        copy.write_row(row)
            finally:
                cursor.close()
        else:
            for rank, table in enumerate((audit_records, audit_outcomes)):
                rows = [
                    {"b_seq": seq, "b_pos": pos, "b_hash": digest}
                    for r, seq, pos, digest in self.pending
                    if r == rank
                ]
                if rows:
                    self.conn.execute(
                        sa.update(table)
                        .where(table.c.seq == sa.bindparam("b_seq"))
                        .values(chain_pos=sa.bindparam("b_pos"), chain_hash=sa.bindparam("b_hash")),
                        rows,
                    )
        self.pending = []

    def finish(self) -> None:
        self.flush()
        if self.postgres:
            for rank, name in enumerate(TABLES):
                self.conn.exec_driver_sql(
                    f"UPDATE {name} t SET chain_pos = b.pos, chain_hash = b.hash "
                    f"FROM chain_backfill b WHERE b.rank = {rank} AND t.seq = b.seq"
                )


def downgrade() -> None:
    op.drop_table("audit_chain_head")
    for table in TABLES:
        op.drop_index(f"ix_{table}_chain", table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("chain_hash")
            batch.drop_column("chain_pos")
