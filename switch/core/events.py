"""Live flow events for watchers (the trainer's page): every message's path
as it happens. Publishing with nobody watching costs one length check."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable
from typing import Any

from switch.core.capture import Intake
from switch.core.relays import RelayFlag
from switch.core.replies import Reply
from switch.directory.model import Agency

Relays = Iterable[RelayFlag]

# A slow watcher loses its oldest events rather than slowing the switch.
QUEUE_LIMIT = 1000


class EventBus:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._sequence = itertools.count(1)

    @property
    def watching(self) -> int:
        return len(self._subscribers)

    def publish(self, event: dict[str, Any]) -> None:
        if not self._subscribers:
            return
        event = {"seq": next(self._sequence), **event}
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)


def message_event(
    intake: Intake,
    sender: Agency | None,
    reply: Reply,
    forwarded: bool,
    relays: Relays,
    warrant: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One message on the live flow: the reply, and what a watcher sees
    beside it (the text, the sender's entry, any relay flags: the flags are
    never in the reply, the sender is not told; the cited warrant's facts,
    switch.core.cited)."""
    event = {
        "type": "message",
        "at": intake.received.isoformat(),
        "text": intake.raw(),
        "sender": sender.as_dict() if sender else {"ori": intake.identity.ori},
        "status_code": reply.status_code,
        "forwarded": forwarded,
        **reply.body,
        "relays": [flag.event() for flag in relays],
    }
    if warrant is not None:
        event["warrant"] = warrant
    return event
