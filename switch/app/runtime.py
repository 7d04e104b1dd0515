"""The running parts of one hub, built from settings and torn down together."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import Mapping

from sqlalchemy import Engine

from switch.access.keys import KeyRing
from switch.app.shared_flow import SharedFlow, conninfo
from switch.app.simulated import simulated_states
from switch.audit import signing
from switch.audit.acts import Act
from switch.audit.checkpoint_writer import CheckpointWriter
from switch.audit.signed_checkpoints import CheckpointLog
from switch.audit.writer import GroupCommitWriter
from switch.core.events import EventBus
from switch.core.hub import Hub
from switch.core.numbers import MessageNumbers
from switch.core.remembering import Remembering
from switch.core.router import Router
from switch.db.database import migrate, open_engine
from switch.db.locations import audit_key_path, checkpoint_path
from switch.destinations.base import Destination
from switch.destinations.builtin import BuiltinDestination
from switch.destinations.registry import breaker_policy, build_destinations
from switch.directory import Directory
from switch.forwarding import status as service_status
from switch.forwarding.backlog import Backlog
from switch.forwarding.forwarder import Forwarder, RetryPolicy
from switch.forwarding.instances import BEAT_SECONDS, Instances
from switch.forwarding.marks import ServiceMarks
from switch.policy import PolicyDecider, PolicyStore
from switch.policy.sources.database import SharedPolicies
from switch.policy.sources.files import policy_files
from switch.policy.store import NoPolicies
from switch.recent_refusals import RefusalIndex
from switch.settings import PolicyLocation, Settings, hub_name, policy_location
from switch.warrants import WarrantRegistry

log = logging.getLogger("switch.app.runtime")

# At stop, how long deliveries and late answers still running may finish.
STOP_GRACE_SECONDS = 2.0


def find_policies(settings: Settings) -> PolicyLocation:
    """The folder of policies a hub enforces. NoPolicies, saying where it
    looked, when it finds no policy file at all: a hub without one would
    answer every query."""
    location = policy_location(settings)
    if location.folder is None:
        raise NoPolicies(location.nowhere())
    if not policy_files(location.folder):
        raise NoPolicies(f"no policies found: no <ST>.yaml file in {location}")
    return location


def _line(exc: BaseException) -> str:
    """An error in one line (SQLAlchemy's add the statement below)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class Runtime:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        destinations: Mapping[str, Destination] | None = None,
        decider: PolicyDecider | None = None,
        directory: Directory | None = None,
        port: int | None = None,
    ) -> None:
        """`port`: the one the hub serves, for its default name."""
        self.settings = settings or Settings()
        self.name = hub_name(self.settings, port)
        # First: a hub with no policies must not start, nor leave anything open.
        self.policy_location = find_policies(self.settings)
        # Empty until the database is open: the folder's files are versions
        # recorded there, and what is in force is the newest per state.
        self.policies = PolicyStore(self.policy_location.folder)
        log.info("policies: %s", self.policy_location)
        # Nothing is connected yet: a bad URL is refused before a key is made
        # for it, and a hub that cannot sign its audit never touches it.
        self.engine: Engine = open_engine(self.settings.database_url)
        self.audit_key = signing.load_or_create(audit_key_path(self.settings))
        if self.audit_key.created:
            log.warning("made a new audit key %s at %s", self.audit_key.id, self.audit_key.path)
        checkpoint_log = CheckpointLog(checkpoint_path(self.settings))
        checkpoint_log.ensure_writable()
        migrate(self.engine)
        self.checkpoints = CheckpointWriter(
            self.engine,
            self.audit_key,
            checkpoint_log,
            every_records=self.settings.audit_checkpoint_records,
            every_seconds=self.settings.audit_checkpoint_seconds,
        )
        self.directory = directory or Directory.load(self.settings.directory)
        self.destinations = destinations or build_destinations(
            self.settings.states,
            builtin=simulated_states(self.settings.simulator_seed),
            breaker=breaker_policy(self.settings),
        )
        # The folder's changed files recorded, then the newest version per state.
        self.shared_policies = SharedPolicies(self.engine, self.policies)
        self.shared_policies.start()
        self.decider: PolicyDecider = decider or self.policies
        self.warrants = WarrantRegistry(self.engine, self.directory)
        # Recent refusals by subject, in the database every hub here shares.
        self.refusals = RefusalIndex(self.engine)
        # Service status has one owner each: the marks an admin set (as the
        # table has them at start) and the backlog of kept queries.
        self.marks = ServiceMarks(service_status.load(self.engine))
        self.backlog = Backlog()
        # The hub's message numbers: its outputs', and its 429s'.
        self.numbers = MessageNumbers()
        self.router = Router(
            self.directory,
            self.destinations,
            self.decider,
            late_answer_seconds=self.settings.late_answer_seconds,
            marks=self.marks,
            backlog=self.backlog,
            numbers=self.numbers,
        )
        self.writer = GroupCommitWriter(self.engine)
        self.keys = KeyRing(self.engine)
        # This hub among those sharing the database (liveness, leases).
        self.instances = Instances(self.engine)
        events = EventBus(hub=self.name)
        # On PostgreSQL, the hubs of the database show each other's flow.
        self.shared_flow = (
            SharedFlow(conninfo(self.engine), events, self.instances.id)
            if self.settings.shared_flow and self.engine.dialect.name == "postgresql"
            else None
        )
        self.hub = Hub(
            self.directory,
            self.router,
            self.writer,
            max_body_bytes=self.settings.max_body_bytes,
            max_wait=self.settings.max_wait,
            assess_warrant=self.warrants.assess,
            lookup_warrant=self.warrants.get,
            instance_id=self.instances.id,
            events=events,
            remembering=Remembering(
                self.directory,
                self.router,
                self.refusals,
                lambda: self.policies.snapshot.memory_hours(),
            ),
        )
        self.forwarder = Forwarder(
            self.engine,
            self.hub,
            RetryPolicy(
                probe_seconds=self.settings.forward_probe_seconds,
                backoff_seconds=self.settings.forward_backoff_seconds,
                backoff_max_seconds=self.settings.forward_backoff_max_seconds,
                max_attempts=self.settings.forward_max_attempts,
            ),
            self.instances,
            wait=self.settings.max_wait,
            marks=self.marks,
            backlog=self.backlog,
        )
        self._forwarding: asyncio.Task[None] | None = None
        self._beating: asyncio.Task[None] | None = None
        self._sharing: asyncio.Task[None] | None = None
        self._started_beating = False
        self._started = False
        self._stopping = threading.Event()
        self.warmed = threading.Event()

    def start(self) -> None:
        if not self._started:
            self.writer.start()
            self.checkpoints.start()
            self._started = True
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop (a CLI tool): nothing to forward from here
                loop = None
            if loop is not None:
                self.instances.register()
                self._started_beating = True
                self._beating = loop.create_task(self._beat())
                self._forwarding = loop.create_task(self.forwarder.run())
                if self.shared_flow is not None:
                    self._sharing = loop.create_task(self.shared_flow.run())
            # Start-up stays fast; the simulators' name indexes fill in behind.
            threading.Thread(target=self._warm, name="warm-dmvs", daemon=True).start()

    async def _beat(self) -> None:
        """Tell the other hubs on this database that this one is alive."""
        while True:
            try:
                await asyncio.to_thread(self.instances.beat)
            except Exception as exc:  # a missed beat is retried; the hub serves on
                # One line, not a traceback: under heavy writes SQLite says
                # "database is locked" now and then, and the next beat retries.
                log.warning("hub heartbeat failed, retried in %ss: %s", BEAT_SECONDS, _line(exc))
            await asyncio.sleep(BEAT_SECONDS)

    def _warm(self) -> None:
        for destination in self.destinations.values():
            if self._stopping.is_set():
                return
            if isinstance(destination, BuiltinDestination):
                destination.warm()
        # The simulators' records and indexes are millions of objects that
        # live as long as the hub: out of the collector's sight, a full
        # collection no longer walks them (a pause of ~100 ms otherwise).
        gc.freeze()
        self.warmed.set()

    async def watch_policies(self) -> None:
        """Hot reload: changed policy files, and changes made through any hub
        on this database, take effect without a restart."""
        watchers = [self.shared_policies.follow()]
        if self.settings.policy_poll_seconds > 0:
            watchers.append(self._watch_files(self.settings.policy_poll_seconds))
        await asyncio.gather(*watchers)

    async def _watch_files(self, interval: float) -> None:
        while not self._stopping.is_set():
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.shared_policies.sync_files)
            except Exception as exc:  # a database blip: the next edit is read again
                log.warning("recording changed policy files failed: %s", _line(exc))

    def mark_out_of_service(
        self, state: str, keys: list[str], *, forward: bool = True, act: Act | None = None
    ) -> None:
        """Out of service (`forward`: kept, .02.) or on remove status (.04.)."""
        service_status.mark(self.engine, state, keys, forward=forward, act=act)
        self.marks.mark(state, keys, forward=forward)
        self.hub.queued.set()  # kept queries of a removed state are given up now

    def return_to_service(
        self, state: str, keys: list[str] | None = None, *, act: Act | None = None
    ) -> None:
        """Clear the marks; queued queries for the state go out now."""
        service_status.clear(self.engine, state, keys, act=act)
        self.marks.clear(state, keys)
        self.hub.queued.set()

    async def stop(self) -> None:
        self._stopping.set()
        if self._forwarding is not None:
            self._forwarding.cancel()
            await asyncio.gather(self._forwarding, return_exceptions=True)
            await self.forwarder.close()
            self._forwarding = None
        if self._sharing is not None:
            self._sharing.cancel()
            await asyncio.gather(self._sharing, return_exceptions=True)
            self._sharing = None
        if self._beating is not None:
            self._beating.cancel()
            await asyncio.gather(self._beating, return_exceptions=True)
            self._beating = None
        await self.shared_policies.close()
        await self.hub.drain(grace=STOP_GRACE_SECONDS)
        if self._started_beating:
            # After the drain: what it held is free to other hubs only once
            # it is done with it, or it could be routed twice.
            await asyncio.to_thread(self.instances.leave)
        for destination in self.destinations.values():
            await destination.aclose()
        if self._started:
            self.writer.stop()
            self.checkpoints.stop()  # signs the head as this hub leaves it
            self._started = False
        self.engine.dispose()
