"""The hub: one message's whole path, from bytes in to an audited reply.

    bytes -> messages (parse) -> router (policy, destinations) -> reply -> audit

The API layer authenticates and hands the body here; everything a sender can
get wrong becomes an ER, is audited, and changes nothing else.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Sequence
from datetime import datetime
from typing import Any

from switch.access.keys import Identity
from switch.access.ratelimit import Admission, RateLimited
from switch.audit.records import MailboxItem, QueuedForward, QueueUpdate, new_message_id
from switch.audit.writer import GroupCommitWriter
from switch.clock import Clock, utc_now
from switch.core.capture import (
    Intake,
    mailbox_item,
    queued_forwards,
    refused_record,
    routed_record,
)
from switch.core.cited import WarrantAssessor, WarrantLookup, cited_warrant, warrant_level
from switch.core.decoding import decode
from switch.core.events import EventBus, Relays, message_event
from switch.core.relays import RelayWatch, count, texts
from switch.core.remembering import Remembering
from switch.core.replies import Reply, accepted_reply, error_reply, routed_reply
from switch.core.router import DestinationResult, Router, RouteResult
from switch.destinations.base import StateAnswer
from switch.directory import Directory
from switch.directory.model import Agency
from switch.errors import InvalidHeader, SenderMismatch, SwitchError
from switch.messages import render
from switch.messages.model import Message
from switch.metrics import MESSAGES, OUTCOMES, REFUSALS, SHADOW_DISAGREEMENTS, child
from switch.policy import Facts

# The name a kept query settles in when it is forwarded: the switch's own
# (the key that sent it is on its audit record).
FORWARDER = "forwarder"


def _count_outcomes(routed: RouteResult) -> None:
    for result in routed.results:
        decision, shadow = result.decision, result.shadow
        child(OUTCOMES, result.state or "-", decision.effect, result.status).inc()
        if result.refused_by is not None:
            child(REFUSALS, result.state or "-", result.refused_by).inc()
        if shadow is not None and shadow.effect != decision.effect:
            SHADOW_DISAGREEMENTS.labels(result.state or "-", decision.effect, shadow.effect).inc()


class Hub:
    def __init__(
        self,
        directory: Directory,
        router: Router,
        writer: GroupCommitWriter,
        *,
        max_body_bytes: int = 8192,
        max_wait: float = 60.0,
        assess_warrant: WarrantAssessor | None = None,
        events: EventBus | None = None,
        clock: Clock = utc_now,
        instance_id: str = "-",
        remembering: Remembering | None = None,
        lookup_warrant: WarrantLookup | None = None,
    ) -> None:
        """`instance_id`: this hub among those sharing the database; wait=0
        messages it accepts are held in its name until routed.
        `lookup_warrant`: the registry's entry, for the live view's cards."""
        self.directory = directory
        self.clock = clock
        self.events = events or EventBus()
        # {"ori", "message_id"} after mailbox items are committed.
        self.mailbox_events = EventBus()
        # Set when a query is queued for forwarding; the forwarder waits on it.
        self.queued = asyncio.Event()
        self.assess_warrant = assess_warrant
        self.lookup_warrant = lookup_warrant
        self.router = router
        self.writer = writer
        self.max_body_bytes = max_body_bytes
        self.max_wait = max_wait
        self.instance_id = instance_id
        # The index of recent refusals a `subject.refused_to` rule reads.
        self.remembering = remembering or Remembering(directory, router, None)
        # Flags a likely relay of a refused federal immigration query, from that index.
        self.relays = RelayWatch(directory, self.remembering.index)
        self._background: set[asyncio.Task[None]] = set()

    async def submit(
        self,
        identity: Identity,
        body: bytes,
        *,
        is_json: bool = False,
        wait: float,
        admission: Admission | None = None,
        form: str | None = None,
    ) -> Reply:
        """`admission`: the sender's rate limit, which the message's reach
        must be covered by (switch.access.ratelimit). `form`: text, json or
        xml (switch.messages.model.FORMS); by default json if `is_json`."""
        intake = Intake(identity, body, new_message_id(), self.clock(), time.perf_counter())
        intake.form = form or ("json" if is_json else "text")
        try:
            message = intake.message = self._decode(identity, body, intake.form)
            requester = self._requester(identity, message, body)
            if admission is not None:
                admission.cover(self._reach(message), self.router.numbers.next)
            wait = min(max(wait, 0.0), self.max_wait)
            if wait == 0:
                return await self._accept(intake, message)
            routed = await self._route(message, requester, wait, intake.received)
        except RateLimited:
            raise  # answered and audited as every 429 is, by the API
        except SwitchError as err:
            await self.writer.write(refused_record(intake, err))
            child(MESSAGES, intake.message.key if intake.message else "?", "rejected").inc()
            reply = error_reply(intake.message_id, err)
            self.publish(intake, reply)
            return reply
        child(MESSAGES, message.key, "routed").inc()
        return await self._settle(intake, routed, arrived=True)

    async def _settle(
        self,
        intake: Intake,
        routed: RouteResult,
        *,
        arrived: bool = False,
        queue_updates: list[QueueUpdate] | None = None,
        settles_pending: bool = False,
        forwarded: bool = False,
    ) -> Reply:
        """Settle a routed message: record its outcomes and the notices owed,
        mail what the sender is owed, write it all, wake the mailbox streams
        and the forwarder, count, and publish; the reply is returned.

        `arrived`: the sender waits on this reply, which carries the answers,
        and the message's record is written now. Otherwise (a wait=0 message,
        a late answer, a forwarded query) the record was written before: the
        outcomes are added to it and the answers go to the sender's mailbox.
        `queue_updates` and `settles_pending` commit with them. A likely relay
        is flagged when its destinations are first settled, not again late."""
        message = intake.message
        assert message is not None
        first = arrived or settles_pending
        relays = await self.relays.flags(intake, routed) if first else {}
        record = routed_record(intake, routed, clock=self.clock, relays=texts(relays))
        refused = self.remembering.rows(intake, message, routed)
        items = list(record.mailbox)
        if not arrived:
            items.extend(self._mail(intake, message, routed))
        forwards = queued_forwards(intake, message, routed, self.clock())
        if arrived:
            record.forwards = forwards
            record.refusals = refused
            await self.writer.write(record)
        else:
            await self.writer.write_outcomes(
                intake.message_id,
                record.outcomes,
                items,
                record.notices,
                forwards=forwards,
                refusals=refused,
                queue_updates=queue_updates,
                settles_pending=settles_pending,
            )
        if refused:
            await self.remembering.added(len(refused), self.clock())
        self._committed(items, forwards)
        self._await_late(intake, message, routed)
        _count_outcomes(routed)
        count(relays)
        reply = routed_reply(intake.message_id, message, routed)
        if self.events.watching:
            cited = await cited_warrant(self.lookup_warrant, message, routed.warrant)
            self.publish(intake, reply, forwarded=forwarded, relays=relays.values(), warrant=cited)
        return reply

    def _mail(self, intake: Intake, message: Message, routed: RouteResult) -> list[MailboxItem]:
        """The answers a sender who is not waiting gets in its mailbox."""
        items: list[MailboxItem] = []
        for result in routed.visible():
            if (
                result.status == "no_response"
                and result.response is None
                and result.late is None
                and result.state
            ):
                # Nothing is kept for a state that does not answer: say so.
                result.response = self.router.no_response_status(message, result.state)
            if result.response is not None and result.status != "delivered":
                items.append(mailbox_item(message.ori, intake.message_id, result, self.clock))
        return items

    def publish(
        self,
        intake: Intake,
        reply: Reply,
        *,
        forwarded: bool = False,
        relays: Relays = (),
        warrant: dict[str, Any] | None = None,
    ) -> None:
        """Tell watchers what just happened, after it is audited."""
        if self.events.watching:
            sender = self.directory.get(intake.identity.ori or "")
            self.events.publish(message_event(intake, sender, reply, forwarded, relays, warrant))

    def _decode(self, identity: Identity, body: bytes, form: str) -> Message:
        return decode(identity, body, form, self.max_body_bytes)

    def _reach(self, message: Message) -> int:
        """How many destinations the message goes to: every state that
        answers its key for an NL query, every one in a region for a region."""
        if self.router.fans_out(message):
            return len(self.router.resolve_states(message)[0])
        return len(message.destinations)

    def _requester(self, identity: Identity, message: Message, body: bytes) -> Agency:
        if message.ori != identity.ori:
            raise SenderMismatch(f"header ORI {message.ori} is not this key's ORI", body.decode())
        requester = self.directory.get(message.ori)
        if requester is None:
            raise InvalidHeader(f"unknown ORI {message.ori}", render(message))
        return requester

    async def _route(
        self, message: Message, requester: Agency, wait: float, received: datetime
    ) -> RouteResult:
        warrant = await self.warrant_level(message, received)
        refusals = await self.remembering.facts(message, received)
        return await self.router.route(
            message, requester, wait=wait, warrant=warrant, at=received, refusals=refusals
        )

    async def warrant_level(self, message: Message, at: datetime) -> str | None:
        return await warrant_level(self.assess_warrant, message, at)

    async def _accept(self, intake: Intake, message: Message) -> Reply:
        """wait=0: commit the acceptance, answer 202, deliver outcomes to the mailbox."""
        # Resolve destinations now so a bad one is an ER, not a silent mailbox item.
        if message.key != "AM":
            self.router.resolve_states(message)
        record = routed_record(intake, None, clock=self.clock)
        record.pending_holder = self.instance_id
        await self.writer.write(record)
        child(MESSAGES, message.key, "accepted").inc()
        self._spawn(self._deliver_later(intake, message))
        return accepted_reply(intake.message_id, message)

    def recover(self, intake: Intake, message: Message) -> None:
        """Route a wait=0 message whose hub died after accepting it."""
        self._spawn(self._deliver_later(intake, message))

    async def _deliver_later(self, intake: Intake, message: Message) -> None:
        requester = self.directory.get(message.ori)
        assert requester is not None
        routed = await self._route(message, requester, self.max_wait, intake.received)
        await self._settle(intake, routed, settles_pending=True)

    def _await_late(self, intake: Intake, message: Message, routed: RouteResult) -> None:
        for result in routed.results:
            if result.late is not None:
                self._spawn(self._late_answer(intake, message, result, result.late))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _late_answer(
        self,
        intake: Intake,
        message: Message,
        missed: DestinationResult,
        pending: asyncio.Future[StateAnswer],
    ) -> None:
        """A state that answers after the wait: its answer goes to the mailbox,
        and is counted and published as any other outcome."""
        assert missed.state is not None
        try:
            answer = await asyncio.wait_for(pending, timeout=self.router.late_answer_seconds)
            response = self.router.answer(message, missed.state, answer, missed.decision)
            status = "answered"
        except Exception:  # no answer after all: say so, keep nothing
            response = self.router.no_response_status(message, missed.state)
            status = "no_response"
        late = DestinationResult(
            missed.destination,
            missed.state,
            missed.decision,
            status,
            response,
            intake.elapsed_ms(),
            missed.shadow,
        )
        await self._settle(intake, RouteResult([late], warrant=None))

    async def redeliver(
        self, row: Any, message: Message, *, at: datetime, wait: float
    ) -> DestinationResult | None:
        """Send a kept query (a forward_queue row, parsed as `message`) to its
        state again, ahead of the backlog it belongs to, with the policy
        decided anew at `at`; None when its sender is no longer known."""
        requester = self.directory.get(message.ori)
        if requester is None:
            return None
        warrant = await self.warrant_level(message, at)
        refusals = await self.remembering.facts(message, at)
        return await self.router.query_state(
            (row.destination, row.state),
            message,
            Facts(requester, message, warrant, at, refusals),
            wait,
            from_queue=True,
        )

    async def settle_forward(
        self,
        row: Any,
        message: Message,
        result: DestinationResult,
        update: QueueUpdate,
        at: datetime,
    ) -> None:
        """A kept query has its outcome: settled as a routed message is (a
        forwarded answer is owed the same as a live one: notices to the
        people it names, metrics, the live view), with its queue row's change."""
        intake = Intake(
            Identity(FORWARDER, ori=message.ori),
            row.text.encode(),
            row.message_id,
            at,
            time.perf_counter(),
            message,
        )
        await self._settle(intake, RouteResult([result]), queue_updates=[update], forwarded=True)

    def _committed(self, items: list[MailboxItem], queued: Sequence[QueuedForward] = ()) -> None:
        """Wake mailbox streams and the forwarder once rows are durable."""
        for ori, message_id in {(item.ori, item.message_id) for item in items}:
            self.mailbox_events.publish({"ori": ori, "message_id": message_id})
        if queued:
            self.router.backlog.add((q.state, q.message_key) for q in queued)
            self.queued.set()

    async def drain(self, grace: float | None = None) -> None:
        """Wait for wait=0 deliveries and late answers still running; after
        `grace` seconds (shutdown) cancel what is left. A wait=0 message cut
        off so keeps its pending_deliveries row and is routed by the next hub
        to start; a late answer cut off is lost, as a hang-up would lose it."""
        deadline = None if grace is None else time.monotonic() + grace
        while self._background:
            tasks = list(self._background)
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            _, pending = await asyncio.wait(tasks, timeout=left)
            if pending and deadline is not None and time.monotonic() >= deadline:
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                return
