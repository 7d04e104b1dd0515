"""Turning one message's journey into audit rows: the record, its outcomes,
the mailbox items and the notices it owes."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from switch.access.keys import Identity
from switch.audit.records import AuditRecord, MailboxItem, NoticeItem, Outcome, QueuedForward
from switch.clock import Clock, utc_now
from switch.core.replies import result_json, result_response_json
from switch.core.router import DestinationResult, RouteResult
from switch.errors import MessageError, SwitchError
from switch.messages import render, render_output
from switch.messages.model import Message
from switch.notices import business_days_after

RAW_LIMIT = 2000


@dataclass(slots=True)
class Intake:
    """A message as it arrived: who sent it, when, and (once parsed) what."""

    identity: Identity
    body: bytes
    message_id: str
    received: datetime
    started: float
    message: Message | None = None
    # text, json or xml (switch.messages.model.FORMS); None for a kept query.
    form: str | None = None

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000.0

    def raw(self) -> str | None:
        return storable(self.body[:RAW_LIMIT].decode("utf-8", "replace")) if self.body else None


def storable(text: str) -> str:
    """`text` as a text column can hold it: PostgreSQL refuses NUL, so it is
    kept as the symbol for it (U+2400), so a reader still sees where it was."""
    return text.replace("\x00", "\u2400") if "\x00" in text else text


def refused_record(intake: Intake, err: SwitchError) -> AuditRecord:
    message = intake.message
    # Filed under the key's ORI: a header claiming another agency's is a
    # spoofing attempt by this key, never a message of the agency claimed.
    sender = intake.identity.ori
    claimed = message.ori if message is not None and message.ori != sender else None
    return AuditRecord(
        id=intake.message_id,
        received_at=intake.received,
        identity=str(intake.identity),
        sender_ori=sender,
        claimed_ori=claimed,
        message_key=message.key if message else None,
        control=message.control if message else None,
        reason=message.reason if message else None,
        destinations=",".join(message.destinations) if message else None,
        fields=json.dumps(dict(message.fields)) if message else None,
        outcome="rejected",
        er_code=err.code if isinstance(err, MessageError) else None,
        http_status=err.http_status,
        detail=storable(err.message),
        raw=intake.raw() or "",
        latency_ms=intake.elapsed_ms(),
        form=intake.form,
    )


def _outcome(
    message: Message,
    received: datetime,
    routed: RouteResult,
    result: DestinationResult,
    relay: str | None,
) -> Outcome:
    decision = result.decision
    kinds = {o.kind for o in decision.obligations}
    response = result_response_json(result)
    shadow = result.shadow
    return Outcome(
        destination=result.destination,
        state=result.state,
        decision=decision.effect,
        rule=decision.rule,
        reason=decision.reason,
        policy_version=decision.version,
        status=result.status,
        response_key=result.response.key if result.response else None,
        response=json.dumps(response) if response else None,
        latency_ms=result.latency_ms,
        warrant=routed.warrant,
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
        shadow_decision=shadow.effect if shadow else None,
        shadow_rule=shadow.rule if shadow else None,
        shadow_version=shadow.version if shadow else None,
        relay=relay,
        refused_by=result.refused_by,
    )


def routed_record(
    intake: Intake,
    routed: RouteResult | None,
    *,
    clock: Clock = utc_now,
    relays: Mapping[str, str] | None = None,
) -> AuditRecord:
    """The record of a routed message, or of an accepted one (routed=None);
    `clock` stamps its mailbox items; `relays` is the relay flag's text by
    destination state (switch.core.relays)."""
    relays = relays or {}
    message = intake.message
    assert message is not None
    outcomes: list[Outcome] = []
    mailbox: list[MailboxItem] = []
    owed: list[NoticeItem] = []
    for result in routed.results if routed else ():
        assert routed is not None
        relay = relays.get(result.state) if result.state is not None else None
        outcomes.append(_outcome(message, intake.received, routed, result, relay))
        if result.hit and any(o.kind == "notify_subject" for o in result.decision.obligations):
            owed.extend(notices_for(intake.message_id, message.ori, intake.received, result))
        if result.status == "delivered" and result.response is not None:
            mailbox.append(mailbox_item(result.response.to, intake.message_id, result, clock))
    return AuditRecord(
        id=intake.message_id,
        received_at=intake.received,
        identity=str(intake.identity),
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
        raw=intake.raw(),
        latency_ms=intake.elapsed_ms(),
        outcomes=outcomes,
        mailbox=mailbox,
        notices=owed,
        form=intake.form,
    )


def notices_for(
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


def mailbox_item(
    ori: str, message_id: str, result: DestinationResult, clock: Clock = utc_now
) -> MailboxItem:
    assert result.response is not None
    return MailboxItem(
        ori=ori,
        message_id=message_id,
        created_at=clock(),
        key=result.response.key,
        text=render_output(result.response),
        payload=json.dumps({"result": result_json(result)}),
    )


def queued_forwards(
    intake: Intake, message: Message, routed: RouteResult, now: datetime
) -> list[QueuedForward]:
    """Queries an out-of-service state will get when it returns."""
    return [
        QueuedForward(
            message_id=intake.message_id,
            destination=result.destination,
            state=result.state,
            sender_ori=message.ori,
            message_key=message.key,
            text=render(message),
            queued_at=now,
            next_attempt_at=now,
        )
        for result in routed.results
        if result.kept and result.state is not None
    ]
