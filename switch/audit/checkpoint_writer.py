"""The hub's checkpoint writer: a thread that signs the audit chain's head
into the checkpoint file (`switch.audit.signed_checkpoints`).

A checkpoint is written when the chain has grown by `every_records` rows
since the last one (or since its start, when there is none yet), or has
grown at all and `every_seconds` have passed since the last one (or since
the writer began), and at stop; the thread looks at the head twice a second. Every hub on a
database checkpoints the one chain they share, each with its own key.

Before it signs, the writer checks that the database still extends its
last checkpoint (the same hash at that position). When it does not, the
database was rewritten or cut behind the hub's back: that is logged as an
error, and the new head is signed at once, so the file holds both what was
and what is. The hub keeps serving; `switch audit verify --checkpoints`
fails on the older checkpoint.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select

from switch.audit.chain import CHAINED, HEAD_ID
from switch.audit.signed_checkpoints import (
    Checkpoint,
    CheckpointFileError,
    CheckpointLog,
    sign,
)
from switch.audit.signing import AuditKey
from switch.db.schema import audit_chain_head

log = logging.getLogger("switch.audit")

POLL_SECONDS = 0.5


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Head:
    pos: int
    hash: str
    at_last: str | None  # the hash at the last checkpoint's position, None: pruned away

    @property
    def link(self) -> tuple[int, str]:
        return self.pos, self.hash


def _hash_at(conn: Connection, pos: int) -> str | None:
    for table in CHAINED.values():
        found = conn.execute(
            select(table.c.chain_hash).where(table.c.chain_pos == pos)
        ).scalar_one_or_none()
        if found is not None:
            return str(found)
    return None


class CheckpointWriter:
    def __init__(
        self,
        engine: Engine,
        key: AuditKey,
        checkpoints: CheckpointLog,
        *,
        every_records: int,
        every_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._engine = engine
        self._key = key
        self.checkpoints = checkpoints
        self._every_records = every_records
        self._every_seconds = every_seconds
        self._clock = clock
        self._now = now
        self._last = self._latest()
        self._last_time = clock()
        self._lock = threading.Lock()  # the thread's ticks and stop's
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-checkpoints", daemon=True)

    @property
    def last(self) -> Checkpoint | None:
        return self._last

    def _latest(self) -> Checkpoint | None:
        try:
            return self.checkpoints.latest()
        except CheckpointFileError as exc:
            # The file is evidence: never rewritten here. Verify names the line.
            log.error("cannot read the last audit checkpoint: %s", exc.message)
            return None

    def start(self) -> None:
        self.checkpoints.ensure_writable()
        self._thread.start()

    def stop(self) -> None:
        """End the thread, then sign the head as the hub leaves it."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        try:
            self.tick(final=True)
        except Exception:  # the hub is stopping; the next start checkpoints
            log.exception("the audit checkpoint at stop failed")

    def _run(self) -> None:
        interval = min(POLL_SECONDS, self._every_seconds)
        while not self._stopping.wait(interval):
            try:
                self.tick()
            except Exception:  # a busy database or a full disk: the next tick tries again
                log.exception("audit checkpoint failed")

    def tick(self, *, final: bool = False) -> Checkpoint | None:
        """Sign the head now if a checkpoint is due; the one written, or None."""
        with self._lock:
            last = self._last
            head = self._read(last)
            if head is None or (last is not None and (last.pos, last.hash) == head.link):
                return None
            extended = last is None or self._extends(last, head)
            # With no checkpoint yet, the chain counts from its first row.
            grown = head.pos - (last.pos if last is not None else 0)
            due = (
                final
                or not extended
                or grown >= self._every_records
                or self._clock() - self._last_time >= self._every_seconds
            )
            if not due:
                return None
            checkpoint = sign(self._key, head.pos, head.hash, self._now())
            self.checkpoints.append(checkpoint)
            self._last, self._last_time = checkpoint, self._clock()
            return checkpoint

    def _read(self, last: Checkpoint | None) -> _Head | None:
        """The head, and the hash now at the last checkpoint's position; None
        while the chain is empty."""
        with self._engine.connect() as conn:
            head = conn.execute(
                select(audit_chain_head).where(audit_chain_head.c.id == HEAD_ID)
            ).one_or_none()
            if head is None or head.pos < 1:
                return None
            at_last = None
            if last is not None and last.pos <= head.pos:
                if last.pos >= head.start_pos:
                    at_last = _hash_at(conn, last.pos) or ""
                elif last.pos == head.start_pos - 1:
                    at_last = head.start_hash
        return _Head(int(head.pos), str(head.hash), at_last)

    def _extends(self, last: Checkpoint, head: _Head) -> bool:
        if head.pos < last.pos:
            why = f"the chain's head is at position {head.pos}, behind it"
        elif head.at_last is not None and head.at_last != last.hash:
            why = f"position {last.pos} holds another hash now"
        else:
            return True
        log.error(
            "the audit database no longer extends the checkpoint at position %d (%s): %s; "
            "it was rewritten or cut outside the hub. Run switch audit verify --checkpoints %s",
            last.pos,
            last.at,
            why,
            self.checkpoints.path,
        )
        return False
