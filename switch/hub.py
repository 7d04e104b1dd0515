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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from switch.audit.records import AuditRecord, MailboxItem, NoticeItem, Outcome, new_message_id
from switch.audit.writer import GroupCommitWriter
from switch.directory import Directory
from switch.errors import (
    ForbiddenError,
    InvalidFormat,
    InvalidHeader,
    MessageError,
    MessageTooLarge,
    SenderMismatch,
    SwitchError,
)
from switch.keys import Identity
from switch.messages import from_json, parse, render, render_output
from switch.messages.model import Message, OutputMessage
from switch.metrics import MESSAGES, OUTCOMES, SHADOW_DISAGREEMENTS
from switch.notices import business_days_after
from switch.router import DestinationResult, Router, RouteResult, utc_now

RAW_LIMIT = 2000
log = logging.getLogger("switch.hub")

# (warrant id, requester ORI, message fields, when) -> registry's verdict.
WarrantAssessor = Callable[[str, str, Mapping[str, str], datetime], str]


@dataclass(frozen=True, slots=True)
class Reply:
    status_code: int
    body: dict[str, Any]


def response_json(out: OutputMessage | None) -> dict[str, Any] | None:
    if out is None:
        return None
    payload: dict[str, Any] = {
        "key": out.key,
        "text": render_output(out),
        "fields": dict(out.records[0]) if out.records else {},
    }
    if len(out.records) > 1:
        payload["records"] = [dict(r) for r in out.records]
    return payload


def result_json(result: DestinationResult) -> dict[str, Any]:
    decision = result.decision
    body: dict[str, Any] = {
        "destination": result.destination,
        "decision": decision.effect,
        "rule": decision.rule,
        "reason": decision.reason,
        "policy_version": decision.version,
        "status": result.status,
        "latency_ms": round(result.latency_ms, 3),
        "response": response_json(result.response),
    }
    if decision.redact:
        body["redacted"] = list(decision.redact)
    if decision.obligations:
        body["obligations"] = [str(o) for o in decision.obligations]
    return body


def error_json(err: SwitchError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": err.code, "message": err.message}
    if isinstance(err, MessageError):
        body["er_text"] = err.er_text
    return {"error": body}


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
    ) -> None:
        self.directory = directory
        self.assess_warrant = assess_warrant
        self.router = router
        self.writer = writer
        self.max_body_bytes = max_body_bytes
        self.max_wait = max_wait
        self._background: set[asyncio.Task[None]] = set()

    async def submit(self, identity: Identity, body: bytes, *, is_json: bool, wait: float) -> Reply:
        started = time.perf_counter()
        received = utc_now()
        message_id = new_message_id()
        message: Message | None = None
        try:
            message = self._decode(identity, body, is_json)
            if message.ori != identity.ori:
                raise SenderMismatch(
                    f"header ORI {message.ori} is not this key's ORI", body.decode()
                )
            requester = self.directory.get(message.ori)
            if requester is None:
                raise InvalidHeader(f"unknown ORI {message.ori}", render(message))
            wait = min(max(wait, 0.0), self.max_wait)
            if wait == 0:
                return await self._accept(identity, message, message_id, received, started, body)
            warrant = await self._warrant_level(message, received)
            routed = await self.router.route(
                message, requester, wait=wait, warrant=warrant, at=received
            )
        except SwitchError as err:
            return await self._refuse(identity, message, message_id, received, started, body, err)
        record = self._record(identity, message, message_id, received, started, body, routed)
        await self.writer.write(record)
        MESSAGES.labels(message.key, "routed").inc()
        reply = self._reply_body(message_id, message, routed)
        return Reply(200, reply)

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

    def _reply_body(self, message_id: str, message: Message, routed: RouteResult) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": message_id,
            "key": message.key,
            "ori": message.ori,
            "results": [result_json(r) for r in routed.visible()],
        }
        if routed.multi_state:
            body["summary"] = routed.summary()
        return body

    async def _accept(
        self,
        identity: Identity,
        message: Message,
        message_id: str,
        received: Any,
        started: float,
        body: bytes,
    ) -> Reply:
        """wait=0: commit the acceptance, answer 202, deliver outcomes to the mailbox."""
        requester = self.directory.get(message.ori)
        assert requester is not None
        # Resolve destinations now so a bad one is an ER, not a silent mailbox item.
        if message.key != "AM":
            self.router.resolve_states(message)
        record = self._record(identity, message, message_id, received, started, body, None)
        await self.writer.write(record)
        MESSAGES.labels(message.key, "accepted").inc()
        task = asyncio.create_task(self._deliver_later(identity, message, message_id, received))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return Reply(202, {"id": message_id, "key": message.key, "ori": message.ori, "results": []})

    async def _deliver_later(
        self, identity: Identity, message: Message, message_id: str, received: Any
    ) -> None:
        requester = self.directory.get(message.ori)
        assert requester is not None
        warrant = await self._warrant_level(message, received)
        routed = await self.router.route(
            message, requester, wait=self.max_wait, warrant=warrant, at=received
        )
        started = time.perf_counter()
        record = self._record(identity, message, message_id, received, started, b"", routed)
        items = list(record.mailbox)
        for result in routed.visible():
            if result.response is not None and result.status != "delivered":
                items.append(_mailbox_item(message.ori, message_id, result))
        await self.writer.write_outcomes(message_id, record.outcomes, items, record.notices)

    async def _refuse(
        self,
        identity: Identity,
        message: Message | None,
        message_id: str,
        received: Any,
        started: float,
        body: bytes,
        err: SwitchError,
    ) -> Reply:
        record = AuditRecord(
            id=message_id,
            received_at=received,
            identity=str(identity),
            sender_ori=message.ori if message else identity.ori,
            message_key=message.key if message else None,
            control=message.control if message else None,
            reason=message.reason if message else None,
            destinations=",".join(message.destinations) if message else None,
            fields=json.dumps(dict(message.fields)) if message else None,
            outcome="rejected",
            er_code=err.code if isinstance(err, MessageError) else None,
            http_status=err.http_status,
            detail=err.message,
            raw=body[:RAW_LIMIT].decode("utf-8", "replace"),
            latency_ms=(time.perf_counter() - started) * 1000.0,
        )
        await self.writer.write(record)
        MESSAGES.labels(message.key if message else "?", "rejected").inc()
        payload = error_json(err)
        payload["id"] = message_id
        return Reply(err.http_status, payload)

    def _record(
        self,
        identity: Identity,
        message: Message,
        message_id: str,
        received: Any,
        started: float,
        body: bytes,
        routed: RouteResult | None,
    ) -> AuditRecord:
        outcomes: list[Outcome] = []
        mailbox: list[MailboxItem] = []
        owed: list[NoticeItem] = []
        for result in routed.results if routed else ():
            response = response_json(result.response)
            decision = result.decision
            kinds = {o.kind for o in decision.obligations}
            outcomes.append(
                Outcome(
                    destination=result.destination,
                    state=result.state,
                    decision=result.decision.effect,
                    rule=result.decision.rule,
                    reason=result.decision.reason,
                    policy_version=result.decision.version,
                    status=result.status,
                    response_key=result.response.key if result.response else None,
                    response=json.dumps(response) if response else None,
                    latency_ms=result.latency_ms,
                    warrant=routed.warrant if routed else None,
                    redacted=",".join(decision.redact) or None,
                    obligations=json.dumps([str(o) for o in decision.obligations])
                    if decision.obligations
                    else None,
                    flagged=int("flag_for_review" in kinds),
                    reported=int("report" in kinds),
                    received_at=received,
                    sender_ori=message.ori,
                    message_key=message.key,
                    message_reason=message.reason,
                    image=int(message.wants_image),
                    shadow_decision=decision.shadow.effect if decision.shadow else None,
                    shadow_rule=decision.shadow.rule if decision.shadow else None,
                    shadow_version=decision.shadow.version if decision.shadow else None,
                )
            )
            if decision.shadow is not None and decision.shadow.effect != decision.effect:
                SHADOW_DISAGREEMENTS.labels(
                    result.state or "-", decision.effect, decision.shadow.effect
                ).inc()
            if "notify_subject" in kinds and result.hit:
                owed.extend(_notices(message_id, message.ori, received, result))
            OUTCOMES.labels(result.state or "-", result.decision.effect, result.status).inc()
            if result.status == "delivered" and result.response is not None:
                mailbox.append(_mailbox_item(result.response.to, message_id, result))
        return AuditRecord(
            id=message_id,
            received_at=received,
            identity=str(identity),
            sender_ori=message.ori,
            message_key=message.key,
            control=message.control,
            reason=message.reason,
            destinations=",".join(message.destinations),
            fields=json.dumps(dict(message.fields)),
            outcome="routed" if routed is not None else "accepted",
            er_code=None,
            http_status=200 if routed is not None else 202,
            detail=None,
            raw=body[:RAW_LIMIT].decode("utf-8", "replace") if body else None,
            latency_ms=(time.perf_counter() - started) * 1000.0,
            outcomes=outcomes,
            mailbox=mailbox,
            notices=owed,
        )

    async def drain(self) -> None:
        """Wait for wait=0 deliveries still running (shutdown, tests)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)


def _notices(
    message_id: str, requester: str, received: datetime, result: DestinationResult
) -> list[NoticeItem]:
    """One notice per person whose record was released."""
    assert result.response is not None and result.state is not None
    days = max(
        o.within_business_days or 0
        for o in result.decision.obligations
        if o.kind == "notify_subject"
    )
    start = received.date()
    due = (business_days_after(start, days) if days > 0 else start).isoformat()
    return [
        NoticeItem(
            message_id=message_id,
            state=result.state,
            rule=result.decision.rule,
            requester_ori=requester,
            subject=f"{record.get('NAM', '?')} OLN {record.get('OLN', '?')}",
            created_at=received,
            due_date=due,
        )
        for record in result.response.records
    ]


def _mailbox_item(ori: str, message_id: str, result: DestinationResult) -> MailboxItem:
    assert result.response is not None
    return MailboxItem(
        ori=ori,
        message_id=message_id,
        created_at=utc_now(),
        key=result.response.key,
        text=render_output(result.response),
        payload=json.dumps({"result": result_json(result)}),
    )
