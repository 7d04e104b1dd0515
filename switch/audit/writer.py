"""Group commit: one writer thread batches audit records into transactions.

Each request awaits its own record's commit before its reply leaves the hub,
so a reply is never sent for a message the audit does not hold. Batching
amortises the commit (an fsync on SQLite) over every request waiting at
that moment, which is what keeps a durable audit off the critical path.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine, bindparam, insert, update

from switch.audit import chain
from switch.audit.records import (
    AuditRecord,
    LateOutcomes,
    MailboxItem,
    NoticeItem,
    Outcome,
    QueuedForward,
    QueueUpdate,
)
from switch.audit.schema import audit_records, forward_queue, mailbox, notices
from switch.errors import SwitchError

MAX_BATCH = 512


class AuditUnavailable(SwitchError):
    """The audit store could not commit; nothing may be answered as done."""

    http_status = 503
    code = "AUDIT_UNAVAILABLE"


Entry = AuditRecord | LateOutcomes
_Pending = tuple[Entry, asyncio.Future[None], asyncio.AbstractEventLoop]


def _rows(batch: list[Entry]) -> tuple[list[dict[str, Any]], ...]:
    records: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    owed: list[dict[str, Any]] = []
    queued: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for entry in batch:
        if isinstance(entry, AuditRecord):
            records.append({k: getattr(entry, k) for k in _RECORD_COLUMNS})
            message_id = entry.id
        else:
            message_id = entry.message_id
        for outcome in entry.outcomes:
            outcomes.append({"message_id": message_id, **asdict(outcome)})
        items.extend(asdict(item) for item in entry.mailbox)
        owed.extend(asdict(notice) for notice in entry.notices)
        queued.extend(asdict(forward) for forward in entry.forwards)
        if isinstance(entry, LateOutcomes):
            updates.extend({"b_" + k: v for k, v in asdict(u).items()} for u in entry.queue_updates)
    return records, outcomes, items, owed, queued, updates


_RECORD_COLUMNS = tuple(c.name for c in audit_records.columns if c.name not in chain.UNHASHED)


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
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self.batches = 0
        self.records = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Commit what is queued, then end the thread."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(timeout=10)

    async def write(self, record: Entry) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._wake:
            if self._stopping:
                raise AuditUnavailable("the audit writer is shutting down")
            self._queue.append((record, future, loop))
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
        queue_updates: list[QueueUpdate] | None = None,
    ) -> None:
        await self.write(
            LateOutcomes(
                message_id, outcomes, mailbox, notices or [], forwards or [], queue_updates or []
            )
        )

    def write_sync(self, record: Entry) -> None:
        """Commit one record from a thread with no event loop (CLI tools)."""
        self._commit([record])

    def _take(self) -> list[_Pending] | None:
        with self._wake:
            while not self._queue and not self._stopping:
                self._wake.wait()
            if not self._queue:
                return None
            count = min(len(self._queue), MAX_BATCH)
            return [self._queue.popleft() for _ in range(count)]

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            error: BaseException | None = None
            try:
                self._commit([record for record, _, _ in batch])
            except Exception as exc:  # a DB fault must reach every waiter, not kill the thread
                error = AuditUnavailable(f"audit commit failed: {type(exc).__name__}")
            for _, future, loop in batch:
                loop.call_soon_threadsafe(_settle, future, error)

    def _commit(self, batch: list[Entry]) -> None:
        records, outcomes, items, owed, queued, updates = _rows(batch)
        # Hash the rows' contents before taking the write lock: only the
        # linking itself has to happen while other writers wait.
        contents = chain.prepare(records, outcomes)
        with chain.transaction(self._engine) as conn:
            chain.append(conn, records, outcomes, contents)
            if items:
                conn.execute(insert(mailbox), items)
            if owed:
                conn.execute(insert(notices), owed)
            if queued:
                conn.execute(insert(forward_queue), queued)
            if updates:
                conn.execute(_QUEUE_UPDATE, updates)
        self.batches += 1
        self.records += len(batch)


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
