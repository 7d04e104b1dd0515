"""Group commit: one writer thread batches audit records into transactions.

Each request awaits its own record's commit before its reply leaves the hub,
so a reply is never sent for a message the audit does not hold. Batching
amortises the commit (an fsync on SQLite) over every request waiting at
that moment, which is what keeps a durable audit off the critical path.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from sqlalchemy import Engine, bindparam, delete, insert, update

from switch.audit import chain
from switch.audit.records import (
    AuditRecord,
    LateOutcomes,
    MailboxItem,
    NoticeItem,
    Outcome,
    QueuedForward,
    QueueUpdate,
    RefusalItem,
)
from switch.audit.wal_checkpoint import WalCheckpointer, writer_connection
from switch.db.schema import (
    audit_records,
    forward_queue,
    mailbox,
    notices,
    pending_deliveries,
    recent_refusals,
)
from switch.errors import SwitchError

log = logging.getLogger("switch.audit")

MAX_BATCH = 512


class AuditUnavailable(SwitchError):
    """The audit store could not commit; nothing may be answered as done."""

    http_status = 503
    code = "AUDIT_UNAVAILABLE"


Entry = AuditRecord | LateOutcomes
_Pending = tuple[Entry, asyncio.Future[None], asyncio.AbstractEventLoop]


def _as_row(cls: type, prefix: str = "") -> Callable[[Any], dict[str, Any]]:
    """A dataclass instance as a dict of its fields. INVARIANT: the records'
    fields hold immutable values, so the deep copy `asdict` makes (most of
    the writer's time) is not needed."""
    names = tuple(f.name for f in fields(cls))
    keys = tuple(prefix + n for n in names)
    get = attrgetter(*names)
    return lambda obj: dict(zip(keys, get(obj), strict=True))


_RECORD_COLUMNS = tuple(c.name for c in audit_records.columns if c.name not in chain.UNHASHED)
_record_values = attrgetter(*_RECORD_COLUMNS)
_outcome_row = _as_row(Outcome)
_mailbox_row = _as_row(MailboxItem)
_notice_row = _as_row(NoticeItem)
_forward_row = _as_row(QueuedForward)
_update_row = _as_row(QueueUpdate, "b_")
_refusal_row = _as_row(RefusalItem)


_Rows = list[dict[str, Any]]


@dataclass(slots=True)
class _Deliveries:
    """wait=0 messages accepted in this batch, and those it routes; and the
    refusals it adds to the index of recent refusals."""

    accepted: list[dict[str, Any]] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)


def _rows(
    batch: list[Entry],
) -> tuple[list[chain.Chained], _Rows, _Rows, _Rows, _Rows, _Deliveries]:
    """The batch's chained rows (each record, then its outcomes, entry by
    entry: the chain's order) and its mailbox, notice, queue and update rows."""
    chained: list[chain.Chained] = []
    items: list[dict[str, Any]] = []
    owed: list[dict[str, Any]] = []
    queued: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    pending = _Deliveries()
    for entry in batch:
        if isinstance(entry, AuditRecord):
            record = dict(zip(_RECORD_COLUMNS, _record_values(entry), strict=True))
            chained.append(("audit_records", record))
            message_id = entry.id
            if entry.pending_holder is not None:
                pending.accepted.append(
                    {
                        "message_id": message_id,
                        "holder": entry.pending_holder,
                        "accepted_at": entry.received_at,
                    }
                )
        else:
            message_id = entry.message_id
            if entry.settles_pending:
                pending.settled.append(message_id)
        for outcome in entry.outcomes:
            row = _outcome_row(outcome)
            row["message_id"] = message_id
            chained.append(("audit_outcomes", row))
        items.extend(map(_mailbox_row, entry.mailbox))
        owed.extend(map(_notice_row, entry.notices))
        queued.extend(map(_forward_row, entry.forwards))
        pending.refused.extend(map(_refusal_row, entry.refusals))
        if isinstance(entry, LateOutcomes):
            updates.extend(map(_update_row, entry.queue_updates))
    return chained, items, owed, queued, updates, pending


_QUEUE_UPDATE = (
    update(forward_queue)
    .where(forward_queue.c.seq == bindparam("b_seq"))
    .values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        next_attempt_at=bindparam("b_next_attempt_at"),
        finished_at=bindparam("b_finished_at"),
        last_error=bindparam("b_last_error"),
    )
)


class GroupCommitWriter:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._queue: deque[_Pending] = deque()
        self._wake = threading.Condition()
        self._idle = False  # waiting for work: only then is a notify needed
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._sqlite = engine.dialect.name == "sqlite"
        self._checkpointer = WalCheckpointer(engine) if self._sqlite else None
        self._tuned: set[int] = set()  # connections whose checkpoints are left to it
        self.batches = 0
        self.records = 0

    def start(self) -> None:
        self._thread.start()
        if self._checkpointer is not None:
            self._checkpointer.start()

    def stop(self) -> None:
        """Commit what is queued, then end the thread."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(timeout=10)
        if self._checkpointer is not None:
            self._checkpointer.stop()

    async def write(self, record: Entry) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._wake:
            if self._stopping:
                raise AuditUnavailable("the audit writer is shutting down")
            self._queue.append((record, future, loop))
            if self._idle:  # else the writer takes it with the next batch
                self._wake.notify()
        await future

    async def write_outcomes(
        self,
        message_id: str,
        outcomes: list[Outcome],
        mailbox: list[MailboxItem],
        notices: list[NoticeItem] | None = None,
        *,
        forwards: list[QueuedForward] | None = None,
        refusals: list[RefusalItem] | None = None,
        queue_updates: list[QueueUpdate] | None = None,
        settles_pending: bool = False,
    ) -> None:
        await self.write(
            LateOutcomes(
                message_id,
                outcomes,
                mailbox,
                notices or [],
                forwards or [],
                refusals or [],
                queue_updates or [],
                settles_pending,
            )
        )

    def write_sync(self, record: Entry) -> None:
        """Commit one record from a thread with no event loop (CLI tools)."""
        self._commit([record])

    def _take(self) -> list[_Pending] | None:
        with self._wake:
            while not self._queue and not self._stopping:
                self._idle = True
                self._wake.wait()
                self._idle = False
            if not self._queue:
                return None
            count = min(len(self._queue), MAX_BATCH)
            return [self._queue.popleft() for _ in range(count)]

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            try:
                self._commit([record for record, _, _ in batch])
            except Exception:  # a DB fault must reach its waiters, not kill the thread
                if len(batch) == 1:
                    self._fail(batch)
                    continue
                # One entry the database refuses must not fail the others
                # that happened to share its batch: each again, alone.
                for one in batch:
                    try:
                        self._commit([one[0]])
                    except Exception:
                        self._fail([one])
                    else:
                        one[2].call_soon_threadsafe(_settle, one[1], None)
                continue
            for _, future, loop in batch:
                loop.call_soon_threadsafe(_settle, future, None)

    @staticmethod
    def _fail(batch: list[_Pending]) -> None:
        log.exception("audit commit failed")
        for _, future, loop in batch:
            error = AuditUnavailable("audit commit failed")
            loop.call_soon_threadsafe(_settle, future, error)

    def _commit(self, batch: list[Entry]) -> None:
        chained, items, owed, queued, updates, pending = _rows(batch)
        # Hash the rows' contents before taking the write lock: only the
        # linking itself has to happen while other writers wait.
        contents = chain.prepare(chained)
        with chain.transaction(self._engine) as conn:
            if self._checkpointer is not None and self._thread.is_alive():
                writer_connection(conn, self._tuned)
            chain.append(conn, chained, contents)
            if items:
                conn.execute(insert(mailbox), items)
            if owed:
                conn.execute(insert(notices), owed)
            if queued:
                conn.execute(insert(forward_queue), queued)
            if updates:
                conn.execute(_QUEUE_UPDATE, updates)
            if pending.refused:
                conn.execute(insert(recent_refusals), pending.refused)
            if pending.accepted:
                conn.execute(insert(pending_deliveries), pending.accepted)
            if pending.settled:
                conn.execute(
                    delete(pending_deliveries).where(
                        pending_deliveries.c.message_id.in_(pending.settled)
                    )
                )
        self.batches += 1
        self.records += len(batch)


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
