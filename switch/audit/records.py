"""What the switch writes down about each message (an `AuditRecord`) and
what it leaves in a mailbox (a `MailboxItem`)."""

from __future__ import annotations

import os
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime

# Ids need to be unique, not secret (reading a message needs its sender's
# or an admin's key): a generator seeded from the OS, reseeded in a forked
# child, saves the system call `secrets` makes for every message.
_random = random.Random(secrets.randbits(256))
os.register_at_fork(after_in_child=lambda: _random.seed(secrets.randbits(256)))


def new_message_id() -> str:
    """32 hex chars: 48 bits of milliseconds then 80 random bits, so ids sort
    by arrival and never collide across hub replicas."""
    return f"{time.time_ns() // 1_000_000:012x}{_random.getrandbits(80):020x}"


@dataclass(slots=True)
class Outcome:
    """What happened at one destination."""

    destination: str
    state: str | None
    decision: str
    rule: str | None
    reason: str | None
    policy_version: str
    status: str
    response_key: str | None = None
    response: str | None = None
    latency_ms: float = 0.0
    warrant: str | None = None
    redacted: str | None = None
    obligations: str | None = None
    flagged: int = 0
    reported: int = 0
    received_at: datetime | None = None
    sender_ori: str | None = None
    message_key: str | None = None
    message_reason: str | None = None
    image: int = 0
    shadow_decision: str | None = None
    shadow_rule: str | None = None
    shadow_version: str | None = None
    # A likely relay (switch.core.relays): "<pattern> <refused message id>".
    relay: str | None = None
    # Who refused the query on its state's policy: nlets | state-switch |
    # dmv (the policy's `enforced_at`); None when it was not refused.
    refused_by: str | None = None


@dataclass(slots=True)
class NoticeItem:
    """A notice owed to the person whose record a state released."""

    message_id: str
    state: str
    rule: str | None
    requester_ori: str
    subject: str
    created_at: datetime
    due_date: str


@dataclass(slots=True)
class MailboxItem:
    ori: str
    message_id: str
    created_at: datetime
    key: str
    text: str
    payload: str


@dataclass(slots=True)
class QueuedForward:
    """A query kept for a state that is out of service (`forward_queue`)."""

    message_id: str
    destination: str
    state: str
    sender_ori: str
    message_key: str
    text: str
    queued_at: datetime
    next_attempt_at: datetime
    status: str = "queued"
    attempts: int = 0


@dataclass(slots=True)
class RefusalItem:
    """One subject key of a query a state refused to a federal requester
    (`recent_refusals`), committed with the refusal's audit record."""

    subject: str
    state: str
    refused_at: datetime
    message_id: str
    requester_ori: str
    component: str


@dataclass(slots=True)
class QueueUpdate:
    """A change to one `forward_queue` row, committed with its outcome."""

    seq: int
    status: str
    attempts: int
    next_attempt_at: datetime
    finished_at: datetime | None = None
    last_error: str | None = None


@dataclass(slots=True)
class AuditRecord:
    id: str
    received_at: datetime
    identity: str | None
    sender_ori: str | None
    message_key: str | None
    control: str | None
    reason: str | None
    destinations: str | None
    fields: str | None
    outcome: str
    er_code: str | None
    http_status: int
    detail: str | None
    raw: str | None
    latency_ms: float
    outcomes: list[Outcome] = field(default_factory=list)
    mailbox: list[MailboxItem] = field(default_factory=list)
    notices: list[NoticeItem] = field(default_factory=list)
    forwards: list[QueuedForward] = field(default_factory=list)
    refusals: list[RefusalItem] = field(default_factory=list)
    # wait=0: the hub that will route it; a pending_deliveries row until then.
    pending_holder: str | None = None
    # Columns most records leave NULL (switch.db.schema says what each is).
    kind: str | None = None
    act: str | None = None
    target: str | None = None
    state: str | None = None
    claimed_ori: str | None = None
    client: str | None = None
    count: int | None = None
    # The form a message arrived in (text, json, xml); NULL on refused
    # requests with no message and on acts.
    form: str | None = None


@dataclass(slots=True)
class LateOutcomes:
    """Outcomes of an accepted (wait=0) message, written when they happen."""

    message_id: str
    outcomes: list[Outcome]
    mailbox: list[MailboxItem]
    notices: list[NoticeItem] = field(default_factory=list)
    forwards: list[QueuedForward] = field(default_factory=list)
    refusals: list[RefusalItem] = field(default_factory=list)
    queue_updates: list[QueueUpdate] = field(default_factory=list)
    # The routing of an accepted message: its pending_deliveries row goes in
    # the same commit, so it is neither lost nor routed twice.
    settles_pending: bool = False
