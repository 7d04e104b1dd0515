"""The audit hash chain: one chain per database over every audit record and
outcome, in commit order.

Each chained row carries its place (`chain_pos`) and a SHA-256 over the
previous link's hash and its own content (`chain_hash`); `audit_chain_head`
holds the last link and where the chain starts (1, or the first position a
prune kept). `switch audit verify` (`switch.audit.verify`) walks it.

A row's content is its columns but `seq` and the chain's own, as compact JSON
with sorted keys and NULLs left out, timestamps as UTC text and numbers by
column type, so SQLite and PostgreSQL hash a row alike. INVARIANT: a column
added to a chained table later must be NULL on old rows (or old hashes break).

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
from itertools import chain as concat
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Float, Integer, Table, insert, select, update

from switch.audit.schema import audit_chain_head, audit_outcomes, audit_records
from switch.errors import SwitchError

GENESIS = "0" * 64
# Columns a row's content leaves out: its storage key and the chain's own.
UNHASHED = frozenset({"seq", "chain_pos", "chain_hash"})
CHAINED: dict[str, Table] = {t.name: t for t in (audit_records, audit_outcomes)}
HEAD_ID = 1

Row = dict[str, Any]
Link = tuple[int, str]


class ChainError(SwitchError):
    """The audit chain cannot be extended (the database lacks its head)."""

    http_status = 503
    code = "AUDIT_UNAVAILABLE"


class _Kinds:
    """A table's columns whose values are normalised before hashing."""

    def __init__(self, table: Table) -> None:
        columns = [c for c in table.columns if c.name not in UNHASHED]
        self.names = tuple(c.name for c in columns)
        self.floats = tuple(c.name for c in columns if isinstance(c.type, Float))
        self.ints = tuple(c.name for c in columns if isinstance(c.type, Integer))
        self.times = tuple(c.name for c in columns if isinstance(c.type, DateTime))


_KINDS = {name: _Kinds(table) for name, table in CHAINED.items()}


def hashed_columns(table: str) -> tuple[str, ...]:
    """The columns of `table` a row's content is made of, in schema order."""
    return _KINDS[table].names


def utc_text(value: datetime) -> str:
    """`2025-10-01 13:04:05.000123`: UTC, microseconds always, naive taken as UTC.
    This is also how SQLAlchemy stores a DateTime in SQLite."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def content(table: str, row: Mapping[str, Any]) -> bytes:
    """The bytes a row of `table` is hashed by. A timestamp may be given as a
    datetime or already as `utc_text`."""
    kinds = _KINDS[table]
    values = {k: v for k, v in row.items() if v is not None and k not in UNHASHED}
    # Numbers by column type: a float column read back from either database
    # is a float even if an int was written (and a bool is stored as 0/1).
    for name in kinds.floats:
        v = values.get(name)
        if v is not None and type(v) is not float:
            values[name] = float(v)
    for name in kinds.ints:
        v = values.get(name)
        if v is not None and type(v) is not int:
            values[name] = int(v)
    for name in kinds.times:
        v = values.get(name)
        if isinstance(v, datetime):
            values[name] = utc_text(v)
    body = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return f"{table}\n{body}".encode()


def link(previous: str, row_content: bytes) -> str:
    return sha256(previous.encode() + row_content).hexdigest()


def _to_utc(rows: list[Row], times: tuple[str, ...]) -> None:
    # SQLite stores an aware datetime's wall time as given: store UTC, so the
    # value read back is the one hashed. Naive times are taken as UTC.
    for row in rows:
        for name in times:
            v = row.get(name)
            if isinstance(v, datetime) and (v.tzinfo is None or v.utcoffset()):
                row[name] = v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)


def prepare(records: list[Row], outcomes: list[Row]) -> list[bytes]:
    """Normalise the rows' timestamps in place and return their contents in
    chain order (records, then outcomes). Costly part of `append`; callers
    may run it before taking the write lock."""
    _to_utc(records, _KINDS["audit_records"].times)
    _to_utc(outcomes, _KINDS["audit_outcomes"].times)
    return [content("audit_records", r) for r in records] + [
        content("audit_outcomes", o) for o in outcomes
    ]


def begin_write(conn: Connection) -> None:
    """Take SQLite's write lock now, as the transaction's first statement, so
    the head read next is still the head at commit (PostgreSQL locks the
    head row itself in `advance`)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


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
    head = audit_chain_head.c
    found = conn.execute(
        select(head.pos, head.hash).where(head.id == HEAD_ID).with_for_update()
    ).one_or_none()
    if found is None:
        raise ChainError("the audit chain has no head: the database needs migrating")
    pos, digest = found
    links: list[Link] = []
    for row_content in contents:
        pos += 1
        digest = sha256(digest.encode() + row_content).hexdigest()
        links.append((pos, digest))
    conn.execute(update(audit_chain_head).where(head.id == HEAD_ID).values(pos=pos, hash=digest))
    return links


def append(
    conn: Connection,
    records: list[Row],
    outcomes: list[Row],
    contents: Sequence[bytes] | None = None,
) -> None:
    """Chain and insert audit records and outcomes (dicts of their columns);
    `contents` is what `prepare` returned for them, if it ran already."""
    if contents is None:
        contents = prepare(records, outcomes)
    links = advance(conn, contents)
    for row, (pos, digest) in zip(concat(records, outcomes), links, strict=True):
        row["chain_pos"] = pos
        row["chain_hash"] = digest
    if records:
        conn.execute(insert(audit_records), records)
    if outcomes:
        conn.execute(insert(audit_outcomes), outcomes)
