"""The hub: one message's whole path, from bytes in to an audited reply.

    bytes -> messages (parse) -> router (policy, destinations) -> reply -> audit

The API layer authenticates and hands the body here; everything a sender can
get wrong becomes an ER, is audited, and changes nothing else.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from switch.audit.capture import Intake, mailbox_item, refused_record, routed_record
from switch.audit.records import new_message_id
from switch.audit.writer import GroupCommitWriter
from switch.directory import Directory
from switch.directory.model import Agency
from switch.errors import (
    ForbiddenError,
    InvalidFormat,
    InvalidHeader,
    MessageTooLarge,
    SenderMismatch,
    SwitchError,
)
from switch.events import EventBus
from switch.keys import Identity
from switch.messages import from_json, parse, render
from switch.messages.model import Message
from switch.metrics import MESSAGES, OUTCOMES, SHADOW_DISAGREEMENTS
from switch.replies import Reply, accepted_reply, error_reply, routed_reply
from switch.router import Router, RouteResult, utc_now

log = logging.getLogger("switch.hub")

# (warrant id, requester ORI, message fields, when) -> registry's verdict.
WarrantAssessor = Callable[[str, str, Mapping[str, str], datetime], str]


def _count(routed: RouteResult) -> None:
    for result in routed.results:
        decision = result.decision
        OUTCOMES.labels(result.state or "-", decision.effect, result.status).inc()
        if decision.shadow is not None and decision.shadow.effect != decision.effect:
            SHADOW_DISAGREEMENTS.labels(
                result.state or "-", decision.effect, decision.shadow.effect
            ).inc()


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
    ) -> None:
        self.directory = directory
        self.events = events or EventBus()
        self.assess_warrant = assess_warrant
        self.router = router
        self.writer = writer
        self.max_body_bytes = max_body_bytes
        self.max_wait = max_wait
        self._background: set[asyncio.Task[None]] = set()

    async def submit(self, identity: Identity, body: bytes, *, is_json: bool, wait: float) -> Reply:
        intake = Intake(identity, body, new_message_id(), utc_now(), time.perf_counter())
        try:
            message = intake.message = self._decode(identity, body, is_json)
            requester = self._requester(identity, message, body)
            wait = min(max(wait, 0.0), self.max_wait)
            if wait == 0:
                return await self._accept(intake, message)
            routed = await self._route(message, requester, wait, intake.received)
        except SwitchError as err:
            await self.writer.write(refused_record(intake, err))
            MESSAGES.labels(intake.message.key if intake.message else "?", "rejected").inc()
            reply = error_reply(intake.message_id, err)
            self._publish(intake, reply)
            return reply
        await self.writer.write(routed_record(intake, routed))
        MESSAGES.labels(message.key, "routed").inc()
        _count(routed)
        reply = routed_reply(intake.message_id, message, routed)
        self._publish(intake, reply)
        return reply

    def _publish(self, intake: Intake, reply: Reply) -> None:
        """Tell watchers what just happened, after it is audited."""
        if not self.events.watching:
            return
        sender = self.directory.get(intake.identity.ori or "")
        self.events.publish(
            {
                "type": "message",
                "at": intake.received.isoformat(),
                "text": intake.raw(),
                "sender": sender.as_dict() if sender else {"ori": intake.identity.ori},
                "status_code": reply.status_code,
                **reply.body,
            }
        )

    def _decode(self, identity: Identity, body: bytes, is_json: bool) -> Message:
        if len(body) > self.max_body_bytes:
            raise MessageTooLarge(
                f"message over {self.max_body_bytes} bytes", body[:100].decode("latin-1")
            )
        if identity.ori is None:
            raise ForbiddenError("an admin key does not send messages; use an agency key")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidFormat("message is not UTF-8 text", body[:100].decode("latin-1")) from exc
        if is_json:
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise InvalidFormat("body is not valid JSON", text) from exc
            return from_json(data, identity.ori)
        return parse(text)

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
        warrant = await self._warrant_level(message, received)
        return await self.router.route(message, requester, wait=wait, warrant=warrant, at=received)

    async def _warrant_level(self, message: Message, at: datetime) -> str | None:
        """What the court registry says of the cited WRT/; None when it could
        not be asked, which makes any rule that tests the warrant fail closed."""
        if message.warrant_id is None:
            return "none"
        if self.assess_warrant is None:
            return "cited"
        try:
            return await asyncio.to_thread(
                self.assess_warrant, message.warrant_id, message.ori, message.fields, at
            )
        except Exception:  # a registry fault must not decide; the policy fails closed
            log.exception("court registry unavailable for WRT/%s", message.warrant_id)
            return None

    async def _accept(self, intake: Intake, message: Message) -> Reply:
        """wait=0: commit the acceptance, answer 202, deliver outcomes to the mailbox."""
        # Resolve destinations now so a bad one is an ER, not a silent mailbox item.
        if message.key != "AM":
            self.router.resolve_states(message)
        await self.writer.write(routed_record(intake, None))
        MESSAGES.labels(message.key, "accepted").inc()
        task = asyncio.create_task(self._deliver_later(intake, message))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return accepted_reply(intake.message_id, message)

    async def _deliver_later(self, intake: Intake, message: Message) -> None:
        requester = self.directory.get(message.ori)
        assert requester is not None
        routed = await self._route(message, requester, self.max_wait, intake.received)
        record = routed_record(intake, routed)
        items = list(record.mailbox)
        for result in routed.visible():
            if result.response is not None and result.status != "delivered":
                items.append(mailbox_item(message.ori, intake.message_id, result))
        await self.writer.write_outcomes(intake.message_id, record.outcomes, items, record.notices)
        _count(routed)
        self._publish(intake, routed_reply(intake.message_id, message, routed))

    async def drain(self) -> None:
        """Wait for wait=0 deliveries still running (shutdown, tests)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
