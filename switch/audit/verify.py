"""Walking the audit hash chain (`switch audit verify`): the first row that
was altered, removed or inserted, a prune anchor not signed by a key given
(`switch.audit.anchors`), a signed checkpoint the database no longer extends
(`switch.audit.consistency`), or the count of rows that are intact.

Rows are read a page at a time by chain position from both chained tables,
merged, in one read snapshot, so a hub may keep writing while this runs and
a million rows never sit in memory at once.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, String, Table, func, select, type_coerce

from switch.audit import anchors
from switch.audit.chain import (
    CHAINED,
    GENESIS,
    ChainError,
    content_values,
    hashed_columns,
    link,
)
from switch.audit.consistency import Consistency, Miss
from switch.audit.crosscheck import TableFinding, cross_check
from switch.audit.signed_checkpoints import Checkpoint
from switch.audit.signing import PublicKeys
from switch.db.schema import audit_chain_head

PAGE = 5_000
ANCHOR_OUTCOME = "pruned"

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Finding:
    """What is wrong with the chain, at the first place it goes wrong."""

    # altered | removed | inserted | unsigned | forged (an anchor or a
    # checkpoint) | rewritten | truncated (a checkpoint not extended)
    problem: str
    detail: str
    table: str | None = None
    seq: int | None = None
    position: int | None = None
    message_id: str | None = None
    checkpoint: str | None = None  # `file:line` of a checkpoint

    @property
    def where(self) -> str:
        if self.checkpoint is not None:
            return f"checkpoint {self.checkpoint} (chain position {self.position})"
        if self.table is None:
            return f"chain position {self.position}"
        about = [f"chain position {self.position}"] if self.position is not None else []
        about += [f"message {self.message_id}"] if self.message_id else []
        return f"{self.table} seq {self.seq}" + (f" ({', '.join(about)})" if about else "")

    def __str__(self) -> str:
        return f"{self.problem} {self.where}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Verdict:
    records: int
    outcomes: int
    start: int
    head: int
    head_hash: str
    finding: Finding | TableFinding | None = None
    checkpoints: int = 0  # signed checkpoints found extended

    @property
    def rows(self) -> int:
        return self.records + self.outcomes

    @property
    def intact(self) -> bool:
        return self.finding is None


class _Row(NamedTuple):
    pos: int
    table: str
    seq: int
    hash: str | None
    content: bytes
    message_id: str
    anchor: dict[str, Any] | None  # a prune's anchor record: where it left the chain's start

    @property
    def name(self) -> str:
        return f"{self.table} seq {self.seq}"


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent view of the database for the whole walk."""
    if engine.dialect.name == "postgresql":
        repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with repeatable as conn, conn.begin():
            yield conn
        return
    with engine.connect() as conn:
        # A read transaction in WAL mode sees the database as of its first read.
        conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def _stream(conn: Connection, table: Table, page: int) -> Iterator[_Row]:
    name = table.name
    columns = hashed_columns(name)
    sqlite = conn.dialect.name == "sqlite"
    # SQLite keeps a timestamp as text: hash the text rather than parse it.
    picked = [
        type_coerce(table.c[n], String()) if sqlite and n == "received_at" else table.c[n]
        for n in columns
    ]
    c = table.c
    query = select(c.chain_pos, c.seq, c.chain_hash, *picked).order_by(c.chain_pos).limit(page)
    id_at = columns.index("id" if name == "audit_records" else "message_id")
    outcome_at = columns.index("outcome") if name == "audit_records" else None
    detail_at = columns.index("detail") if name == "audit_records" else None
    last: int | None = None
    while True:
        where = c.chain_pos.is_not(None) if last is None else c.chain_pos > last
        rows = conn.execute(query.where(where)).all()
        for pos, seq, digest, *values in rows:
            anchor = None
            if outcome_at is not None and values[outcome_at] == ANCHOR_OUTCOME:
                anchor = _anchor(values[detail_at] if detail_at is not None else None)
            message_id = values[id_at]
            yield _Row(pos, name, seq, digest, content_values(name, values), message_id, anchor)
        if len(rows) < page:
            return
        last = rows[-1][0]


def _anchor(detail: str | None) -> dict[str, Any]:
    try:
        found = json.loads(detail or "")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


class _Walk:
    """The chain's rows in position order, checked one after another."""

    def __init__(
        self,
        head: Any,
        unchained: dict[str, int],
        *,
        below_start_ok: bool,
        keys: PublicKeys,
        marks: Consistency,
    ) -> None:
        self.head = head
        self.keys = keys
        self.marks = marks
        self.expected: int = head.start_pos
        self.previous: str = head.start_hash
        self.last: _Row | None = None
        self.unchained = unchained
        self.below_start_ok = below_start_ok
        self.counts = dict.fromkeys(CHAINED, 0)
        self.anchor: dict[str, Any] | None = None

    @property
    def before(self) -> str:
        if self.last is None:
            return f"the chain's start (position {self.head.start_pos})"
        return self.last.name

    def run(self, rows: Iterator[_Row], progress: Callable[[int], None]) -> Finding | None:
        missed = self.marks.before_start(self.head.start_pos, self.head.start_hash)
        if missed is not None:
            return _not_extended(missed)
        for row in rows:
            if (found := self._unchained_before(row)) is not None:
                return found
            if row.pos < self.head.start_pos:
                if self.below_start_ok:
                    continue
                detail = (
                    f"it sits before {self.before}, in a pruned range "
                    "(a prune still deleting leaves such rows: let it finish or run it again)"
                )
                return _at(row, "inserted", detail)
            if row.pos > self.head.pos:
                return _at(row, "inserted", f"it is beyond the chain's head ({self.head.pos})")
            if row.pos < self.expected:
                return _at(row, "inserted", f"a second row at chain position {row.pos}")
            digest = link(self.previous, row.content)
            if row.pos > self.expected:
                if digest == row.hash:
                    detail = f"its chain position was changed (expected {self.expected})"
                    return _at(row, "altered", detail)
                return _removed(self.expected, row.pos - 1, self.before, f"before {row.name}")
            if digest != row.hash:
                # Spliced in, if the next row links straight to the one before.
                following = next(rows, None)
                if (
                    following is not None
                    and link(self.previous, following.content) == following.hash
                ):
                    detail = f"the chain runs from {self.before} to {following.name} without it"
                    return _at(row, "inserted", detail)
                return _at(row, "altered", "its content no longer matches its hash")
            if row.anchor is not None:
                wrong = anchors.problem(
                    row.anchor, pos=row.pos, previous=self.previous, keys=self.keys
                )
                if wrong is not None:
                    return _at(row, *wrong)
                self.anchor = row.anchor
            if self.marks.next_pos == row.pos and (missed := self.marks.at(row.pos, digest)):
                return _not_extended(missed)
            self.previous = digest
            self.expected += 1
            self.last = row
            self.counts[row.table] += 1
            progress(self.expected - self.head.start_pos)
        return self._unchained_left() or self._end() or self._beyond_head()

    def _beyond_head(self) -> Finding | None:
        missed = self.marks.beyond(self.head.pos)
        return None if missed is None else _not_extended(missed)

    def _unchained_before(self, row: _Row) -> Finding | None:
        # A row with no chain entry is placed by its seq among its table's rows.
        first = self.unchained.get(row.table)
        if first is None or first > row.seq:
            return None
        return _no_entry(row.table, first)

    def _unchained_left(self) -> Finding | None:
        for table, first in self.unchained.items():
            if first is not None:
                return _no_entry(table, first)
        return None

    def _end(self) -> Finding | None:
        head = self.head
        last = self.expected - 1
        if last < head.pos:
            return _removed(last + 1, head.pos, self.before, f"up to the chain's head ({head.pos})")
        if self.previous != head.hash:
            return Finding(
                "altered", "the chain's head does not match its last row", None, None, last
            )
        anchor = self.anchor
        if anchor is None:
            if head.start_pos != 1 or head.start_hash != GENESIS:
                detail = f"the chain starts at {head.start_pos} but no prune anchor says so"
                return Finding("removed", detail, None, None, 1)
            return None
        if (anchor.get("start_pos"), anchor.get("start_hash")) != (head.start_pos, head.start_hash):
            detail = (
                f"the chain starts at {head.start_pos}; the last prune anchor "
                f"says {anchor.get('start_pos')}"
            )
            return Finding("removed", detail, None, None, anchor.get("start_pos"))
        return None


def _at(row: _Row, problem: str, detail: str) -> Finding:
    return Finding(problem, detail, row.table, row.seq, row.pos, row.message_id)


def _removed(first: int, last: int, after: str, before: str) -> Finding:
    span = f"position {first}" if first == last else f"positions {first}-{last}"
    detail = f"{span} missing: after {after}, {before}"
    return Finding("removed", detail, None, None, first)


def _no_entry(table: str, seq: int) -> Finding:
    return Finding("inserted", "it has no place in the chain", table, seq)


def _not_extended(missed: Miss) -> Finding:
    checkpoint = missed.checkpoint
    return Finding(
        missed.problem, missed.detail, position=checkpoint.pos, checkpoint=checkpoint.source
    )


def verify(
    engine: Engine,
    *,
    on_progress: Progress | None = None,
    page: int = PAGE,
    below_start_ok: bool = False,
    keys: PublicKeys | None = None,
    checkpoints: Sequence[Checkpoint] = (),
) -> Verdict:
    """Check the chain from its start to its head. `on_progress(done, total)`
    hears how far the walk got; `below_start_ok` skips rows an unfinished
    prune left before the start (prune itself deletes them). Prune anchors
    and `checkpoints` must be signed by one of `keys` (none: nothing signed
    is accepted), and the chain must extend every checkpoint."""
    keys = keys if keys is not None else PublicKeys()
    forged = Consistency.signatures(checkpoints, keys)
    with _snapshot(engine) as conn:
        head = conn.execute(select(audit_chain_head)).one_or_none()
        if head is None:
            raise ChainError("the audit chain has no head: the database needs migrating")
        unchained = {
            name: conn.execute(
                select(func.min(table.c.seq)).where(table.c.chain_pos.is_(None))
            ).scalar_one_or_none()
            for name, table in CHAINED.items()
        }
        marks = Consistency(checkpoints)
        walk = _Walk(
            head,
            {k: v for k, v in unchained.items() if v is not None},
            below_start_ok=below_start_ok,
            keys=keys,
            marks=marks,
        )
        total = max(head.pos - head.start_pos + 1, 0)
        report = on_progress or (lambda done, total: None)
        streams = [_stream(conn, table, page) for table in CHAINED.values()]
        merged = heapq.merge(*streams, key=lambda row: row.pos)
        every = max(page, 1)

        def progress(done: int) -> None:
            if done % every == 0:
                report(done, total)

        finding: Finding | TableFinding | None = (
            _not_extended(forged) if forged else walk.run(merged, progress)
        )
        if finding is None:
            report(total, total)
            # The tables that decide access, against the admin acts just verified.
            finding = cross_check(conn)
    return Verdict(
        records=walk.counts["audit_records"],
        outcomes=walk.counts["audit_outcomes"],
        start=head.start_pos,
        head=head.pos,
        head_hash=head.hash,
        finding=finding,
        checkpoints=marks.count if finding is None else 0,
    )
