"""Policy changes shared through the database, so several hubs on one
database enforce the same versions.

A version put in force through the API is written to `policy_changes` in the
same step that installs it. Every hub polls for rows it has not seen (an
index range scan that finds nothing almost every time) and installs the
newest per state, compiled again here: a row this hub cannot compile is
logged and skipped, and the version in force stays.

Files stay each hub's own (`PolicyStore` loads and hot-reloads them, and an
edit is in force on that hub alone). At start the newest change per state is
applied over the files: once a state has been changed through the API, the
database holds the version every hub starts with.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, func, insert, select
from sqlalchemy import text as sql_text

from switch.audit import chain
from switch.audit.acts import POLICY_PUT, Act, Actor
from switch.audit.crosscheck import policy_details
from switch.db.schema import policy_changes
from switch.policy.compiler import CompiledPolicy
from switch.policy.loader import PolicyError
from switch.policy.store import PolicyStore, ReloadEvent

log = logging.getLogger("switch.policy")

# A change made through one hub is in force on the others within this (plus
# one query); well inside the second the switch promises.
POLL_SECONDS = 0.25

T = TypeVar("T")
Key = tuple[str, bool]  # (state, candidate)


class SharedPolicies:
    def __init__(self, engine: Engine, store: PolicyStore) -> None:
        self.engine = engine
        self.store = store
        self.last_seq = 0  # the highest change this hub has read
        # The change in force per (state, candidate), so an older change
        # never replaces a newer one, whoever installs first.
        self._in_force: dict[Key, int] = {}
        self._lock = threading.Lock()
        self._reads: set[asyncio.Future[Any]] = set()

    # -- changing ---------------------------------------------------------

    def put(
        self,
        state: str,
        text: str,
        *,
        candidate: bool = False,
        changed_by: str | None = None,
        act: Act | None = None,
    ) -> CompiledPolicy:
        """Validate, record for every hub, write the file, put in force; a
        refused version (PolicyError) changes nothing anywhere. The change is
        an admin act (`act`, or one by this OS user), in the same commit."""
        policy = self.store.validate(state, text, candidate=candidate)
        act = act or Act(Actor.local("switch.policy.SharedPolicies.put"), POLICY_PUT)
        with chain.transaction(self.engine) as conn:
            if conn.dialect.name == "postgresql":
                # INVARIANT: changes commit in seq order, so a hub that has
                # read up to seq N never misses a smaller seq committed later.
                conn.execute(sql_text("LOCK TABLE policy_changes IN EXCLUSIVE MODE"))
            seq: int = conn.execute(
                insert(policy_changes)
                .values(
                    state=state,
                    candidate=int(candidate),
                    text=policy.text,
                    version=policy.version,
                    changed_at=datetime.now(UTC),
                    changed_by=changed_by,
                )
                .returning(policy_changes.c.seq)
            ).scalar_one()
            act.about(state, state)
            act.note(**policy_details(seq, candidate, policy.version, policy.text))
            act.record(conn)
        with self._lock:
            # Equal: the poller installed this very row already; the file is still to write.
            if self._in_force.get((state, candidate), 0) <= seq:
                self._in_force[(state, candidate)] = seq
                self.store.save(policy, candidate=candidate)
        return policy

    # -- following --------------------------------------------------------

    def load_latest(self) -> list[ReloadEvent]:
        """At start, after the files: the newest change per state."""
        newest = (
            select(func.max(policy_changes.c.seq))
            .group_by(policy_changes.c.state, policy_changes.c.candidate)
            .scalar_subquery()
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(policy_changes)
                .where(policy_changes.c.seq.in_(newest))
                .order_by(policy_changes.c.seq)
            ).all()
        events: list[ReloadEvent] = []
        for row in rows:
            self.last_seq = max(self.last_seq, row.seq)
            events.extend(self._install([row]))
        return events

    def catch_up(self) -> list[ReloadEvent]:
        """Install changes made since the last call (by any hub)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(policy_changes)
                .where(policy_changes.c.seq > self.last_seq)
                .order_by(policy_changes.c.seq)
            ).all()
        if not rows:
            return []
        self.last_seq = rows[-1].seq
        by_key: dict[Key, list[Any]] = {}
        for row in rows:
            by_key.setdefault((row.state, bool(row.candidate)), []).append(row)
        events: list[ReloadEvent] = []
        for changes in by_key.values():
            events.extend(self._install(changes))
        return events

    def _install(self, changes: list[Any]) -> list[ReloadEvent]:
        """The newest of one state's changes that compiles here, if newer
        than what is in force."""
        events: list[ReloadEvent] = []
        for row in reversed(changes):
            key = (row.state, bool(row.candidate))
            source = f"policy change {row.seq}"
            try:
                policy = self.store.validate(row.state, row.text, candidate=key[1], source=source)
            except PolicyError as exc:
                log.error(
                    "%s for %s refused, the version in force stays: %s", source, row.state, exc
                )
                events.append(ReloadEvent(row.state, source, None, tuple(exc.problems)))
                continue
            with self._lock:
                if self._in_force.get(key, 0) >= row.seq:
                    break
                self._in_force[key] = row.seq
                current = (self.store.candidate if key[1] else self.store.get)(row.state)
                if current is not None and current.version == policy.version:
                    break
                self.store.install(policy, key[1])
            log.info("%s for %s now in force: %s", source, row.state, policy.version)
            events.append(ReloadEvent(row.state, source, policy.version))
            break
        return events

    async def follow(self, interval: float = POLL_SECONDS) -> None:
        """Poll for changes until cancelled, off the event loop."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self._in_thread(self.catch_up)
            except Exception:  # a database blip must not stop following for good
                log.exception("reading policy changes failed")

    async def _in_thread(self, fn: Callable[[], T]) -> T:
        future = asyncio.ensure_future(asyncio.to_thread(fn))
        self._reads.add(future)
        future.add_done_callback(self._reads.discard)
        return await asyncio.shield(future)

    async def close(self) -> None:
        """After cancelling follow(): let a read in its thread finish, so no
        connection outlives the engine."""
        await asyncio.gather(*self._reads, return_exceptions=True)
