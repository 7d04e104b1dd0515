"""Policy versions shared through the database, so several hubs on one
database enforce the same versions.

Every version is a `policy_changes` row (switch.policy.versions): each PUT,
each rollback, and each file of the hub's folder whose content changed.
Every hub polls for rows it has not seen (an index range scan that finds
nothing almost every time) and installs the newest per state, compiled
again here: a row this hub cannot compile is logged and skipped, and the
version in force stays.

Files are versions like any other, never written: a file whose content
differs from the last version recorded from it becomes a new version (the
newest wins); an unchanged file leaves the newest database version in
force. The check and the insert share one locked transaction, so hubs
starting on one folder record a file once. A file refused at start fails
its state closed on this hub (no older database version is put in force in
its place); a file refused later leaves the version in force.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select

from switch.audit import chain
from switch.audit.acts import POLICY_FILE, POLICY_PUT, Act, Actor
from switch.db.schema import policy_changes
from switch.policy import versions
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
        # Each state's newest promotion: candidates before it stay out of shadow mode.
        self._promoted: dict[str, int] = {}
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
        author: str | None = None,
        comment: str | None = None,
        origin: str = versions.PUT,
        evidence: Mapping[str, Any] | None = None,
        approved_by: str | None = None,
    ) -> CompiledPolicy:
        """Validate, record a version for every hub, put in force; a refused
        version (PolicyError) changes nothing anywhere. The change is an
        admin act (`act`, or one by this OS user), in the same commit. A
        promotion passes origin=promote with its evidence and approver."""
        policy = self.store.validate(state, text, candidate=candidate)
        act = act or Act(Actor.local("switch.policy.SharedPolicies.put"), POLICY_PUT)
        with chain.transaction(self.engine) as conn:
            versions.lock(conn)
            seq = versions.record(
                conn,
                policy,
                act=act,
                origin=origin,
                author=author or (f"key:{changed_by}" if changed_by else versions.local_author()),
                candidate=candidate,
                comment=comment,
                changed_by=changed_by,
                evidence=evidence,
                approved_by=approved_by,
            )
        self.put_in_force(policy, candidate, seq)
        return policy

    def rollback(
        self,
        state: str,
        version: str,
        *,
        act: Act,
        author: str,
        comment: str | None = None,
        changed_by: str | None = None,
    ) -> versions.Version:
        """A new version in force whose text is an older version's;
        NotFoundError for a hash the state never had, PolicyError when that
        text no longer compiles."""
        with self.engine.connect() as conn:
            old = versions.find(conn, state, version)
        act.note(rollback_to=old.version, rollback_from_seq=old.seq)
        self.put(
            state,
            old.text,
            act=act,
            author=author,
            comment=comment,
            changed_by=changed_by,
            origin=versions.ROLLBACK,
        )
        with self.engine.connect() as conn:
            made = versions.newest(conn, state, candidate=False)
        assert made is not None  # just recorded
        return made

    def put_in_force(self, policy: CompiledPolicy, candidate: bool, seq: int) -> None:
        """Install a version just recorded as `seq` (by `put`, or by a caller
        that recorded it in its own locked transaction)."""
        with self._lock:
            # Equal: the poller installed this very row already.
            if self._in_force.get((policy.state, candidate), 0) < seq:
                self._in_force[(policy.state, candidate)] = seq
                self.store.install(policy, candidate)

    # -- the folder ---------------------------------------------------------

    def start(self) -> list[ReloadEvent]:
        """At start: the folder's changed files recorded as versions, then
        the newest version per state put in force, except where the file
        is refused (that state fails closed here)."""
        refused = self.sync_files(via="hub start", catch_up=False)
        return self.load_latest(skip=refused)

    def sync_files(self, *, via: str = "hot reload", catch_up: bool = True) -> set[Key]:
        """Read the folder; record each file whose content differs from the
        last version recorded from it; the (state, candidate) refused."""
        refused: set[Key] = set()
        reads = self.store.read_files()
        recorded: dict[tuple[str, bool, str], str] = {}
        if reads:
            with self.engine.connect() as conn:
                # Unchanged files (nearly all, at a hub's start) are told apart
                # here, in one read; only a changed one takes the lock to be recorded.
                recorded = versions.last_file_texts(conn)
        for read in reads:
            name = self.store.files.relative(str(read.path))
            if read.policy is not None:
                author = versions.file_author(name)
                if recorded.get((read.state, read.candidate, author)) == read.policy.text:
                    continue
            actor = Actor(versions.file_author(name)[:64], f"policy folder ({via}): {name}")
            act = Act(actor, POLICY_FILE, target=read.state, state=read.state)
            if read.policy is None:
                refused.add((read.state, read.candidate))
                shown = self.store.files.shown(list(read.problems))
                act.refuse(self.engine, PolicyError(list(shown)))
                continue
            self._record_file(read.policy, read.candidate, name, act)
        if catch_up:
            self.catch_up()
        return refused

    def _record_file(self, policy: CompiledPolicy, candidate: bool, name: str, act: Act) -> None:
        author = versions.file_author(name)
        with chain.transaction(self.engine) as conn:
            # INVARIANT: checked under the lock, so hubs on one folder record a file once.
            versions.lock(conn)
            last = versions.last_from(conn, policy.state, candidate=candidate, author=author)
            if last is not None and last.text == policy.text:
                return
            versions.record(
                conn,
                policy,
                act=act,
                origin=versions.FILE,
                author=author,
                candidate=candidate,
                comment=f"{name} changed on disk",
            )
        log.info("policy file %s recorded as version %s", name, policy.version)

    # -- following --------------------------------------------------------

    def note_promoted(self, state: str, seq: int) -> None:
        """A promotion recorded as `seq`: the candidate it consumed leaves
        shadow mode, and no candidate older than it is installed again."""
        with self._lock:
            if seq <= self._promoted.get(state, 0):
                return
            self._promoted[state] = seq
            if self._in_force.get((state, True), 0) < seq:
                self.store.drop_candidate(state)

    def load_latest(self, skip: set[Key] | frozenset[Key] = frozenset()) -> list[ReloadEvent]:
        """At start: the newest change per state, but none for a refused file."""
        with self.engine.connect() as conn:
            for state, seq in versions.promotions(conn).items():
                self.note_promoted(state, seq)
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
            if (row.state, bool(row.candidate)) in skip:
                # Newer rows still win when they come (a PUT, a fixed file).
                self._in_force[(row.state, bool(row.candidate))] = row.seq
                continue
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
        for row in rows:
            if row.origin == versions.PROMOTE and not row.candidate:
                self.note_promoted(row.state, row.seq)
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
                if key[1] and row.seq < self._promoted.get(row.state, 0):
                    break  # promoted since: no one's candidate now
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
