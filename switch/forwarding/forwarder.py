"""Store and forward: queries kept for an out-of-service state are sent when
it returns, in the order they came, and their answers go to the sender's
mailbox.

Each state's queue is worked head first; a head that cannot be delivered
holds the rest back, so a state never sees its queue out of order. Policy is
decided again at forwarding time: a block that came in while a query waited
stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from switch.access.keys import Identity
from switch.audit.records import QueueUpdate
from switch.clock import Clock, utc_now
from switch.core.capture import Intake
from switch.core.hub import Hub
from switch.core.router import DestinationResult
from switch.core.texts import DOES_NOT_FORWARD, DOES_NOT_RESPOND
from switch.db.schema import audit_records, forward_queue
from switch.forwarding import status as service_status
from switch.forwarding.backlog import Backlog
from switch.forwarding.instances import Instances
from switch.forwarding.marks import ServiceMarks
from switch.messages import parse
from switch.messages.model import Message

log = logging.getLogger("switch.forwarding.forwarder")

# A state still down is asked again on a new query's behalf at most this often.
DRAIN_GAP = 0.25

# The SM for a kept query tried until it was given up: .01., as for a state
# that does not answer; unlike it, without the query's text.
GAVE_UP = f".01. {DOES_NOT_RESPOND}, {DOES_NOT_FORWARD}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a queued query is tried again."""

    probe_seconds: float = 1.0  # out of service: ask again this often
    backoff_seconds: float = 1.0  # fault: first wait, doubled each time
    backoff_max_seconds: float = 60.0
    max_attempts: int = 5  # faults before the query is given up

    def backoff(self, attempts: int) -> float:
        return float(
            min(self.backoff_seconds * 2 ** max(attempts - 1, 0), self.backoff_max_seconds)
        )


class Forwarder:
    def __init__(
        self,
        engine: Engine,
        hub: Hub,
        retry: RetryPolicy,
        instances: Instances,
        *,
        wait: float,
        marks: ServiceMarks,
        backlog: Backlog,
        clock: Clock = utc_now,
    ) -> None:
        """`marks` and `backlog` are the ones the hub's router routes by:
        this forwarder keeps them as the tables are, and drains the backlog."""
        self.engine = engine
        self.hub = hub
        self.marks = marks
        self.backlog = backlog
        backlog.drained_by(self.drain)
        self._clock = clock
        # INVARIANT: a state's queue is worked by one hub at a time (its
        # lease), so hubs sharing a database neither double-send nor reorder.
        self.instances = instances
        self.retry = retry
        self.wait = wait
        self._reads: set[asyncio.Future[Any]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._draining: dict[str, asyncio.Future[None]] = {}
        self._drained_at: dict[str, float] = {}

    async def close(self) -> None:
        """After cancelling run(): let database reads in threads finish, so
        no connection outlives the engine."""
        await asyncio.gather(*self._reads, return_exceptions=True)

    async def _read(self, fn: Any) -> Any:
        future = asyncio.ensure_future(asyncio.to_thread(fn))
        self._reads.add(future)
        future.add_done_callback(self._reads.discard)
        return await asyncio.shield(future)

    async def run(self) -> None:
        """Work the queues until cancelled; wake when something is queued or
        a state is returned, else every probe interval."""
        while True:
            try:
                # The table is the truth: marks made by `switch status` on
                # the database reach this hub here.
                await self._refresh_marks()
                await self._recover_orphans()
                await self.run_once()
            except Exception:  # one bad tick must not stop forwarding for good
                log.exception("forwarding pass failed")
            self.hub.queued.clear()
            due = await self._read(self._next_due)
            timeout = self.retry.probe_seconds
            if due is not None:
                timeout = min(timeout, max((due - self._clock()).total_seconds(), 0.0))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.hub.queued.wait(), timeout=max(timeout, 0.01))

    async def _refresh_marks(self) -> None:
        seen = self.marks.changes
        table = await self._read(lambda: service_status.load(self.engine))
        self.marks.refresh(table, seen)

    async def _recover_orphans(self) -> None:
        """Route wait=0 messages that a hub which is gone had accepted."""
        ids = await self._read(self.instances.orphans)
        if not ids:
            return
        rows = await self._read(lambda: self._records(ids))
        for row in rows:
            message = Message(
                row.message_key,
                row.sender_ori,
                tuple((row.destinations or "").split(",")),
                json.loads(row.fields or "{}"),
                row.control,
            )
            who = (row.identity or "-").split("/", 1)[0]
            intake = Intake(
                Identity(who, ori=row.sender_ori),
                (row.raw or "").encode(),
                row.id,
                _aware(row.received_at),
                time.perf_counter(),
                message,
            )
            log.warning("routing %s, accepted by a hub that is gone", row.id)
            self.hub.recover(intake, message)

    def _records(self, ids: list[str]) -> list[Any]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(audit_records)
                    .where(audit_records.c.id.in_(ids))
                    .order_by(audit_records.c.seq)
                ).all()
            )

    async def run_once(self) -> int:
        """One pass over every state's queue; returns how many left it."""
        states = await self._read(self._queued_states)
        held = await self._read(lambda: self.instances.hold_states(states))
        counts = await asyncio.gather(*(self._work_state(state) for state in held))
        await self._refresh_backlog()
        return sum(counts)

    async def drain(self, state: str, key: str) -> bool:
        """Forward what is kept for `state` now, ahead of a new query for it;
        True when nothing of (state, key) is left kept, so the new query may
        go straight to the state without overtaking.

        A state that is still down is asked at most once per `DRAIN_GAP` (a
        query arriving sooner waits for the next ask, and shares it), so
        traffic to it does not become a probe per query."""
        if self.marks.is_out(state, key):
            return False  # marked by an admin: nothing goes until returned
        task = self._draining.get(state)
        if task is None:
            since = time.monotonic() - self._drained_at.get(state, 0.0)
            task = asyncio.ensure_future(self._drain_state(state, max(0.0, DRAIN_GAP - since)))
            self._draining[state] = task
            task.add_done_callback(lambda _: self._draining.pop(state, None))
        # INVARIANT: every query waiting on a state waits on this one ask, and
        # they resume in the order they came (a future wakes its waiters first
        # in, first out), so none is kept or sent ahead of an earlier one.
        # A sleep of its own per query would let a later one wake first.
        # Shielded: the query that started it may give up; the drain goes on.
        await asyncio.shield(task)
        return not self.backlog.holds(state, key)

    async def _drain_state(self, state: str, delay: float = 0.0) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        self._drained_at[state] = time.monotonic()
        held = await self._read(lambda: self.instances.hold_states([state]))
        if state not in held:
            return  # another hub works this state's queue
        await self._work_state(state, now_due=True)
        await self._refresh_backlog(state)

    async def _refresh_backlog(self, state: str | None = None) -> None:
        """Keep the router's backlog (of `state`, or all) as the queue is: a
        (state, key) leaves it once nothing of it is queued."""
        seen = self.backlog.additions
        rows = await self._read(lambda: self._queued(state))
        self.backlog.refresh({(row.state, row.message_key) for row in rows}, seen, state)

    async def _work_state(self, state: str, *, now_due: bool = False) -> int:
        """Send `state`'s kept queries head first; `now_due`: try the head
        even if its next attempt is later (a new query is waiting on it)."""
        # INVARIANT: one pass per state at a time in this hub, and the rows are
        # read under the lock, so none is sent twice by two passes.
        async with self._locks.setdefault(state, asyncio.Lock()):
            rows = await self._read(lambda: self._queued(state))
            done = 0
            now = self._clock()
            for row in rows:
                if _aware(row.next_attempt_at) > now and not (now_due and done == 0):
                    break  # INVARIANT: the head holds the rest back, keeping order
                if not await self._attempt(row):
                    break
                done += 1
            return done

    async def _attempt(self, row: Any) -> bool:
        """Try one queued query; True when it left the queue."""
        message = parse(row.text)
        now = self._clock()
        result = await self.hub.redeliver(row, message, at=now, wait=self.wait)
        if result is None:
            return await self._settle(row, message, None, "given_up", now, "unknown sender")
        if result.status == "out_of_service" and not result.kept:
            # Put on remove status while it waited: Nlets keeps nothing for
            # such a state, so the sender is told (.04.) and must send again.
            return await self._settle(
                row, message, result, "given_up", now, "remove status", row.attempts
            )
        if result.status == "out_of_service":
            await self._postpone(row, row.attempts, now + _seconds(self.retry.probe_seconds))
            return False
        if result.status in ("fault", "no_response"):
            attempts = row.attempts + 1
            if attempts >= self.retry.max_attempts:
                gave_up = DestinationResult(
                    result.destination,
                    result.state,
                    result.decision,
                    "given_up",
                    self.hub.router.status_message(
                        message, f"{GAVE_UP}\n{row.state} {message.key}"
                    ),
                    result.latency_ms,
                    result.shadow,
                )
                return await self._settle(
                    row, message, gave_up, "given_up", now, result.status, attempts
                )
            await self._postpone(row, attempts, now + _seconds(self.retry.backoff(attempts)))
            return False
        status = "rejected" if result.status == "rejected" else "forwarded"
        return await self._settle(row, message, result, status, now, None, row.attempts + 1)

    async def _postpone(self, row: Any, attempts: int, when: datetime) -> None:
        update = QueueUpdate(row.seq, "queued", attempts, when)
        await self.hub.writer.write_outcomes(row.message_id, [], [], queue_updates=[update])

    async def _settle(
        self,
        row: Any,
        message: Message,
        result: DestinationResult | None,
        status: str,
        now: datetime,
        error: str | None,
        attempts: int | None = None,
    ) -> bool:
        update = QueueUpdate(
            row.seq, status, attempts if attempts is not None else row.attempts, now, now, error
        )
        if result is None:
            await self.hub.writer.write_outcomes(row.message_id, [], [], queue_updates=[update])
        else:
            await self.hub.settle_forward(row, message, result, update, now)
        return True

    def _queued_states(self) -> list[str]:
        """States with something queued: each then reads its own rows."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(forward_queue.c.state)
                    .where(forward_queue.c.status == "queued")
                    .distinct()
                ).scalars()
            )

    def _queued(self, state: str | None = None) -> list[Any]:
        statement = (
            select(forward_queue)
            .where(forward_queue.c.status == "queued")
            .order_by(forward_queue.c.state, forward_queue.c.seq)
        )
        if state is not None:
            statement = statement.where(forward_queue.c.state == state)
        with self.engine.connect() as conn:
            return list(conn.execute(statement).all())

    def _next_due(self) -> datetime | None:
        """When the earliest state's head is due (only heads are tried)."""
        heads: dict[str, datetime] = {}
        for row in self._queued():
            heads.setdefault(row.state, _aware(row.next_attempt_at))
        return min(heads.values(), default=None)


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
