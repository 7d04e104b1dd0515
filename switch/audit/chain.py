"""The audit hash chain: one chain per database over every audit record and
outcome, in commit order.

Each chained row carries its place (`chain_pos`) and a SHA-256 over the
previous link's hash and its own content (`chain_hash`); `audit_chain_head`
holds the last link and where the chain starts (1, or the first position a
prune kept). `switch audit verify` (`switch.audit.verify`) walks it.

A row's content is its table's name and a compact JSON array of its columns
but `seq` and the chain's own (`V1_COLUMNS`, then later columns by name when
not NULL), timestamps as UTC text and numbers by column type, so SQLite and
PostgreSQL hash a row alike. INVARIANT: a column added to a chained table
later must be NULL on old rows, or their hashes break.

INVARIANT: the head is read and advanced in the transaction that inserts the
rows, under the database's write lock (`FOR UPDATE` on PostgreSQL, `BEGIN
IMMEDIATE` on SQLite), so writers in several processes serialize and cannot
fork the chain. `advance` is the only code that moves the head.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from hashlib import sha256
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Float, Integer, Table, insert

from switch.db.schema import audit_outcomes, audit_records
from switch.errors import SwitchError

GENESIS = "0" * 64
# Columns a row's content leaves out: its storage key and the chain's own.
UNHASHED = frozenset({"seq", "chain_pos", "chain_hash"})
CHAINED: dict[str, Table] = {t.name: t for t in (audit_records, audit_outcomes)}
HEAD_ID = 1

Row = dict[str, Any]
Chained = tuple[str, Row]  # a table's name and a row for it
Link = tuple[int, str]


class ChainError(SwitchError):
    """The audit chain cannot be extended (the database lacks its head)."""

    http_status = 503
    code = "AUDIT_UNAVAILABLE"


# The columns each chained table had when the chain began, in this order:
# a row's content is the JSON array of their values. INVARIANT: never
# changes; a column added later is appended as [name, value] when not NULL,
# so rows written before it keep their hashes.
V1_COLUMNS: dict[str, tuple[str, ...]] = {
    "audit_records": (
        "id", "received_at", "identity", "sender_ori", "message_key", "control", "reason",
        "destinations", "fields", "outcome", "er_code", "http_status", "detail", "raw",
        "latency_ms",
    ),
    "audit_outcomes": (
        "message_id", "destination", "state", "decision", "rule", "reason", "policy_version",
        "status", "response_key", "response", "latency_ms", "warrant", "redacted",
        "obligations", "flagged", "reported", "received_at", "sender_ori", "message_key",
        "message_reason", "image", "shadow_decision", "shadow_rule", "shadow_version",
    ),
}  # fmt: skip
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


class _Layout:
    """How a table's rows become content: which values to normalise, where."""

    def __init__(self, table: Table) -> None:
        v1 = V1_COLUMNS[table.name]
        types = {c.name: c.type for c in table.columns if c.name not in UNHASHED}
        self.extra = tuple(name for name in types if name not in v1)
        self.columns = v1 + self.extra
        self.prefix = f"{table.name}\n".encode()
        self.pick = itemgetter(*self.columns)

        def where(kind: type) -> tuple[int, ...]:
            return tuple(i for i, n in enumerate(self.columns) if isinstance(types[n], kind))

        self.floats, self.ints, self.times = where(Float), where(Integer), where(DateTime)
        self.times_by_name = tuple(self.columns[i] for i in self.times)


_LAYOUTS = {name: _Layout(table) for name, table in CHAINED.items()}


def hashed_columns(table: str) -> tuple[str, ...]:
    """The columns of `table` a row's content is made of, in content order."""
    return _LAYOUTS[table].columns


def utc_text(value: datetime) -> str:
    """`2025-10-01 13:04:05.000123`: UTC, microseconds always, naive taken as UTC.
    This is also how SQLAlchemy stores a DateTime in SQLite."""
    if value.tzinfo is not None and value.tzinfo is not UTC and value.utcoffset():
        value = value.astimezone(UTC)
    # isoformat always writes a four-digit year: the first 26 characters are the time.
    return value.isoformat(" ", "microseconds")[:26]


def content(table: str, row: Mapping[str, Any]) -> bytes:
    """The bytes a row of `table` (a mapping of its columns) is hashed by."""
    layout = _LAYOUTS[table]
    try:
        values = list(layout.pick(row))
    except KeyError:
        values = [row.get(name) for name in layout.columns]
    return content_values(table, values)


def content_values(table: str, values: list[Any]) -> bytes:
    """`content` of a row given as its values in `hashed_columns` order (the
    list is normalised in place). A timestamp may be a datetime or `utc_text`."""
    layout = _LAYOUTS[table]
    # Numbers by column type: a float column read back from either database
    # is a float even if an int was written (and a bool is stored as 0/1);
    # SQLite stores -0.0 as 0 (adding 0.0 makes it so).
    for i in layout.floats:
        v = values[i]
        if v is not None:
            values[i] = float(v) + 0.0
    for i in layout.ints:
        v = values[i]
        if v is not None and type(v) is not int:
            values[i] = int(v)
    for i in layout.times:
        v = values[i]
        if isinstance(v, datetime):
            values[i] = utc_text(v)
        elif isinstance(v, str) and (len(v) != 26 or v[10] != " "):
            # Stored text (SQLite) in another ISO form than SQLAlchemy writes.
            values[i] = utc_text(datetime.fromisoformat(v))
    if layout.extra:
        first = len(V1_COLUMNS[table])
        added = [[n, v] for n, v in zip(layout.extra, values[first:], strict=True) if v is not None]
        values[first:] = added
    return layout.prefix + _ENCODE(values).encode()


def link(previous: str, row_content: bytes) -> str:
    return sha256(previous.encode() + row_content).hexdigest()


def prepare(rows: Sequence[Chained]) -> list[bytes]:
    """Normalise the rows' timestamps in place and return their contents.
    The costly part of `append`: callers may run it before taking the lock."""
    contents: list[bytes] = []
    for table, row in rows:
        # SQLite stores an aware datetime's wall time as given: store UTC, so
        # the value read back is the one hashed. Naive times are taken as UTC.
        for name in _LAYOUTS[table].times_by_name:
            v = row.get(name)
            if isinstance(v, datetime) and (v.tzinfo is None or v.utcoffset()):
                row[name] = v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
        contents.append(content(table, row))
    return contents


# The head is read and moved on the driver's cursor: two statements per
# batch on every request's path, where SQLAlchemy's per-statement overhead
# would cost more than the statements.
_READ_HEAD = {
    "sqlite": "SELECT pos, hash FROM audit_chain_head WHERE id = 1",
    "postgresql": "SELECT pos, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE",
}
_MOVE_HEAD = {
    "sqlite": "UPDATE audit_chain_head SET pos = ?, hash = ? WHERE id = 1",
    "postgresql": "UPDATE audit_chain_head SET pos = %s, hash = %s WHERE id = 1",
}


def begin_write(conn: Connection) -> None:
    """Take SQLite's write lock now, as the transaction's first statement, so
    the head read next is still the head at commit (PostgreSQL locks the
    head row itself in `advance`)."""
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        finally:
            cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that may extend the chain; commits on leaving."""
    with engine.begin() as conn:
        begin_write(conn)
        yield conn


def advance(conn: Connection, contents: Sequence[bytes]) -> list[Link]:
    """Lock the head, link `contents` after it, move it: the (position, hash)
    of each content in order. Every chained write goes through here."""
    if not contents:
        return []
    dialect = conn.dialect.name
    cursor = conn.connection.cursor()
    try:
        cursor.execute(_READ_HEAD[dialect])
        found = cursor.fetchone()
        if found is None:
            raise ChainError("the audit chain has no head: the database needs migrating")
        pos, digest = found
        links: list[Link] = []
        for row_content in contents:
            pos += 1
            digest = sha256(digest.encode() + row_content).hexdigest()
            links.append((pos, digest))
        cursor.execute(_MOVE_HEAD[dialect], (pos, digest))
    finally:
        cursor.close()
    return links


def append(
    conn: Connection, rows: Sequence[Chained], contents: Sequence[bytes] | None = None
) -> None:
    """Chain and insert audit rows, each a (table name, dict of its columns),
    in the order given; `contents` is what `prepare` returned, if it ran."""
    if contents is None:
        contents = prepare(rows)
    links = advance(conn, contents)
    by_table: dict[str, list[Row]] = {name: [] for name in CHAINED}
    for (table, row), (pos, digest) in zip(rows, links, strict=True):
        row["chain_pos"] = pos
        row["chain_hash"] = digest
        by_table[table].append(row)
    for table, inserted in by_table.items():
        if inserted:
            conn.execute(insert(CHAINED[table]), inserted)
