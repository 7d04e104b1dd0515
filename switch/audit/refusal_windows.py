"""Refusals of requests that presented no good key, counted rather than
written one by one.

Anyone can send a missing or made-up key, so a record per attempt would let
a flood of them write to the audit as fast as the hub answers (10 s of
garbage keys wrote about 4,300 rows). Instead the attempts from one client
address for one reason are counted over a short window, and the window is
written as one record whose `count` is exact: the first attempt's time and
request line, the reason, the client, and who presented the key (`anonymous`,
`unknown:*` for many made-up ones; a revoked or expired key gets a window of
its own, under its identity, so its use is never hidden among others).

    first attempt ── window open ── ... attempts counted ... ── seconds later: one record

No attempt goes uncounted: a window is written when it ends (`flush_due`,
which `run` calls) and every open one when the hub stops (`close`). The
clock is injectable, so tests drive windows without sleeping.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from switch.audit.records import AuditRecord, new_message_id

log = logging.getLogger("switch.audit")

WINDOW_SECONDS = 2.0
# Windows open at once; past this the oldest is written early, so a flood
# from many addresses costs bounded memory (and more rows, never lost ones).
MAX_OPEN = 10_000

Write = Callable[[AuditRecord], Awaitable[None]]
WindowKey = tuple[str, int, str, str | None]  # client, status, reason, identity if known


@dataclass(slots=True)
class _Window:
    id: str
    opened: float  # clock seconds
    first_at: datetime
    status: int
    detail: str
    client: str
    sender_ori: str | None
    target: str
    outcome: str
    count: int = 0
    presenters: set[str] = field(default_factory=set)  # the first few, to name them

    def add(self, who: str) -> None:
        self.count += 1
        if len(self.presenters) < 2:
            self.presenters.add(who)

    def identity(self) -> str:
        if len(self.presenters) == 1:
            return next(iter(self.presenters))
        if all(who.startswith("unknown:") for who in self.presenters):
            return "unknown:*"  # made-up keys, each its own digest
        return "several"

    def record(self) -> AuditRecord:
        return AuditRecord(
            id=self.id,
            received_at=self.first_at,
            identity=self.identity()[:64],
            sender_ori=self.sender_ori,
            message_key=None,
            control=None,
            reason=None,
            destinations=None,
            fields=None,
            outcome=self.outcome,
            er_code=None,
            http_status=self.status,
            detail=self.detail,
            raw=self.target,
            latency_ms=0.0,
            client=self.client[:64],
            count=self.count,
        )


class RefusalWindows:
    def __init__(
        self,
        write: Write,
        *,
        seconds: float = WINDOW_SECONDS,
        max_open: int = MAX_OPEN,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._write = write
        self.seconds = seconds
        self._max_open = max_open
        self._clock = clock
        self._wall = wall
        # INVARIANT: in the order they opened (dicts keep insertion order), so
        # the windows due are a prefix.
        self._open: dict[WindowKey, _Window] = {}
        self._task: asyncio.Task[None] | None = None
        self.written = 0  # records written

    def add(
        self,
        *,
        client: str,
        status: int,
        reason: str,
        detail: str,
        who: str,
        target: str,
        known: bool = False,
        sender_ori: str | None = None,
        outcome: str = "refused",
    ) -> str:
        """Count one refused attempt; the id of the record that will hold it.
        `known`: `who` is a real key's identity (revoked, expired), which gets
        a window of its own."""
        now = self._clock()
        key = (client, status, reason, who if known else None)
        window = self._open.get(key)
        if window is None:
            window = _Window(
                id=new_message_id(),
                opened=now,
                first_at=self._wall(),
                status=status,
                detail=detail,
                client=client,
                sender_ori=sender_ori,
                target=target,
                outcome=outcome,
            )
            self._open[key] = window
        window.add(who)
        return window.id

    def due(self) -> list[AuditRecord]:
        """Take the windows that have ended (and the oldest past `max_open`)."""
        now = self._clock()
        ended: list[AuditRecord] = []
        for key, window in list(self._open.items()):
            if now - window.opened < self.seconds and len(self._open) <= self._max_open:
                break
            del self._open[key]
            ended.append(window.record())
        return ended

    def take_all(self) -> list[AuditRecord]:
        records = [window.record() for window in self._open.values()]
        self._open.clear()
        return records

    @property
    def open(self) -> int:
        return len(self._open)

    async def flush_due(self) -> None:
        await self._flush(self.due())

    async def _flush(self, records: list[AuditRecord]) -> None:
        results = await asyncio.gather(*(self._write(r) for r in records), return_exceptions=True)
        for record, result in zip(records, results, strict=True):
            if isinstance(result, BaseException):
                # A refusal changes nothing: it was answered; say what went unwritten.
                log.warning("%d refused requests not audited (%s)", record.count, record.detail)
            else:
                self.written += 1

    async def run(self) -> None:
        """Write windows as they end, until cancelled."""
        tick = max(self.seconds / 4, 0.05)
        while True:
            await asyncio.sleep(tick)
            try:
                await self.flush_due()
            except Exception:  # keep counting; the next tick writes again
                log.exception("writing refusal windows failed")

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run())

    async def close(self) -> None:
        """At stop: every window still open, written now."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._flush(self.take_all())
