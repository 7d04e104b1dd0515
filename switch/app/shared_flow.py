"""The live flow of every hub on one PostgreSQL database, not only this one's:
behind a load balancer, a watcher of any hub sees the whole switch.

    hub B  EventBus.publish -> carry -> outbox -> INSERT hub_events, and in the
                                   same statement NOTIFY switch_flow 'e <B> <ids>'
    hub A  LISTEN switch_flow -> SELECT those ids -> EventBus.deliver -> A's streams

A NOTIFY carries ids, not events: a payload is at most 8000 bytes, and one
event (a DR with its image, an NL fan-out's answers) may be larger. The
notice commits with the rows, so they are there to read when it arrives;
rows are pruned after PRUNE_SECONDS.

A hub writes its events only while a hub elsewhere has a watcher: a hub with
watchers says so (`w <instance>`) when one arrives and every RENEW_SECONDS,
a lease of LEASE_SECONDS, and `u <instance>` when its last one leaves; a
hub that (re)connects asks who watches (`?`).
With nobody watching elsewhere, publishing costs what it did before.

A hub skips notices of its own instance: its events reached its watchers
through its own bus. Events of other hubs go into the same bus queues as
local ones, so the events route projects them for its reader the same way
(switch.access.visibility.project_event).

Faults: when the channel's connections are lost (a PostgreSQL restart), the
streams go on with this hub's own events; one line is logged, the channel
reconnects, backing off up to BACKOFF_MAX_SECONDS, and one line says it is
back. Events of the outage are not replayed: this is a live view, and the
audit holds them. Memory is bounded: the outbox keeps the newest
OUTBOX_LIMIT events, the ids to fetch the newest FETCH_LIMIT, and each
watcher's queue is the bus's own (oldest dropped).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from contextlib import suppress
from typing import Any

import psycopg
from sqlalchemy import Engine

from switch.core.events import EventBus
from switch.db.database import CONNECT_TIMEOUT_SECONDS
from switch.db.schema import hub_events

log = logging.getLogger("switch.app.shared_flow")

CHANNEL = "switch_flow"
RENEW_SECONDS = 5.0
# Three renewals missed: a hub whose watchers left (or that died) is let go.
LEASE_SECONDS = 3 * RENEW_SECONDS
PRUNE_SECONDS = 60.0
PRUNE_EVERY_SECONDS = 10.0
OUTBOX_LIMIT = 1000
FETCH_LIMIT = 5000
# Events a transaction writes: their ids (up to 20 characters each) keep the
# notice well under PostgreSQL's 8000 bytes.
BATCH = 100
BACKOFF_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 5.0

TABLE = hub_events.name
# One statement, so one round trip and its own transaction: the rows, and
# the notice naming their ids, delivered as they commit (so they are there
# to read when it arrives). The events go as one JSON array, split by the
# server: a text[] parameter has psycopg escape every quote of every event
# in Python, which cost more than the rest of the carrying together.
INSERT_AND_NOTIFY = (
    f"WITH written AS (INSERT INTO {TABLE} (at, body)"
    " SELECT now(), value::text FROM json_array_elements(%(events)s::json) RETURNING id)"
    " SELECT pg_notify(%(channel)s, %(head)s || string_agg(id::text, ',')) FROM written"
)
SELECT = f"SELECT body FROM {TABLE} WHERE id = ANY(%s) ORDER BY id"
PRUNE = f"DELETE FROM {TABLE} WHERE at < now() - make_interval(secs => %s)"
NOTIFY = "SELECT pg_notify(%s, %s)"


def conninfo(engine: Engine) -> str:
    """The libpq address of the engine's database (no SQLAlchemy driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class SharedFlow:
    """The FlowOutlet (switch.core.events) of a hub on PostgreSQL. `run`
    serves it on the hub's event loop until cancelled."""

    def __init__(self, address: str, bus: EventBus, instance: str) -> None:
        self.address = address
        self.bus = bus
        self.instance = instance
        self._outbox: deque[dict[str, Any]] = deque(maxlen=OUTBOX_LIMIT)
        self._to_fetch: deque[int] = deque(maxlen=FETCH_LIMIT)
        # Other hubs' instances with watchers, and when each lease ends.
        self._leases: dict[str, float] = {}
        self._wanted_until = 0.0
        self._connected = False
        self._down = False
        self._overflowing = False
        self._announce = False
        self._served = False
        self._wake: asyncio.Event | None = None
        bus.outlet = self

    # -- the outlet (called on the event loop, from the message path) --------

    @property
    def wanted(self) -> bool:
        return self._connected and time.monotonic() < self._wanted_until

    def carry(self, event: dict[str, Any]) -> None:
        if len(self._outbox) == OUTBOX_LIMIT and not self._overflowing:
            self._overflowing = True
            log.warning("live flow to other hubs falls behind: its oldest events are dropped")
        self._outbox.append(event)
        self._poke()

    def watched(self) -> None:
        self._announce = True
        self._poke()

    def unwatched(self) -> None:
        self._announce = True  # that nobody watches here now
        self._poke()

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    # -- the channel -------------------------------------------------------

    async def run(self) -> None:
        self._wake = asyncio.Event()
        backoff = BACKOFF_SECONDS
        while True:
            self._served = False
            try:
                await self._serve()
            except Exception as exc:  # any fault: local streams go on; reconnect
                self._lost(exc)
            # A channel that had connected starts its back-off over.
            backoff = BACKOFF_SECONDS if self._served else min(backoff * 2, BACKOFF_MAX_SECONDS)
            await asyncio.sleep(backoff)

    async def _serve(self) -> None:
        async with (
            await self._connect("listen") as listening,
            await self._connect("work") as working,
        ):
            await listening.execute(f"LISTEN {CHANNEL}")
            self._connected = self._served = True
            if self._down:
                self._down = False
                log.warning("live flow of other hubs is back")
            # Who watches already? Each answers with a `w`; and we say if we do.
            await working.execute(NOTIFY, (CHANNEL, "?"))
            self._announce = bool(self.bus.local_watching)
            tasks = [
                asyncio.ensure_future(self._listen(listening)),
                asyncio.ensure_future(self._work(working)),
            ]
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()  # the fault that ended it
            finally:
                self._connected = False
                self._leases.clear()
                self._wanted_until = 0.0
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _connect(self, role: str) -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(
            self.address,
            autocommit=True,
            application_name=f"switch-flow-{role} {self.instance}",
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        )

    def _lost(self, exc: BaseException) -> None:
        self._connected = False
        if not self._down:
            self._down = True
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            log.warning(
                "live flow of other hubs lost (%s): this hub's own goes on; reconnecting", reason
            )

    async def _listen(self, conn: psycopg.AsyncConnection[Any]) -> None:
        async for note in conn.notifies():
            self._heard(note.payload)

    def _heard(self, payload: str) -> None:
        kind, _, rest = payload.partition(" ")
        instance, _, ids = rest.partition(" ")
        if kind == "?":
            if self.bus.local_watching:
                self.watched()
        elif instance == self.instance or not instance:
            return  # our own: its events reached our watchers through our bus
        elif kind == "w":
            self._leases[instance] = time.monotonic() + LEASE_SECONDS
            self._wanted_until = max(self._leases.values())
        elif kind == "u":
            self._leases.pop(instance, None)
            self._wanted_until = max(self._leases.values(), default=0.0)
        elif kind == "e" and self.bus.local_watching:
            self._to_fetch.extend(int(i) for i in ids.split(",") if i.isdigit())
            self._poke()

    async def _work(self, conn: psycopg.AsyncConnection[Any]) -> None:
        assert self._wake is not None
        renew_at = 0.0
        prune_at = time.monotonic() + PRUNE_EVERY_SECONDS
        while True:
            now = time.monotonic()
            watching = bool(self.bus.local_watching)
            if self._announce or (watching and now >= renew_at):
                self._announce = False
                renew_at = now + RENEW_SECONDS
                say = "w" if watching else "u"
                await conn.execute(NOTIFY, (CHANNEL, f"{say} {self.instance}"))
            while self._outbox:
                await self._send(conn)
            while self._to_fetch:
                await self._fetch(conn)
            if now >= prune_at:
                prune_at = now + PRUNE_EVERY_SECONDS
                await conn.execute(PRUNE, (PRUNE_SECONDS,))
            if self._leases and now >= self._wanted_until:
                self._leases = {i: t for i, t in self._leases.items() if t > now}
            wake_at = min(prune_at, renew_at) if watching else prune_at
            self._wake.clear()
            if self._outbox or self._to_fetch or self._announce:
                continue
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(wake_at - time.monotonic(), 0.0))

    async def _send(self, conn: psycopg.AsyncConnection[Any]) -> None:
        batch = [self._outbox.popleft() for _ in range(min(BATCH, len(self._outbox)))]
        if not self._outbox:
            self._overflowing = False
        events = json.dumps(batch, default=str, separators=(",", ":"))
        head = f"e {self.instance} "
        await conn.execute(INSERT_AND_NOTIFY, {"events": events, "channel": CHANNEL, "head": head})

    async def _fetch(self, conn: psycopg.AsyncConnection[Any]) -> None:
        ids = [self._to_fetch.popleft() for _ in range(min(BATCH * 5, len(self._to_fetch)))]
        cursor = await conn.execute(SELECT, (ids,))
        for (body,) in await cursor.fetchall():
            event = json.loads(body)
            if isinstance(event, dict):
                self.bus.deliver(event)
