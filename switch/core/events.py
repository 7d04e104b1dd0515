"""Live flow events for watchers (the trainer's page): every message's path
as it happens, each named with the hub that carried it. Publishing with
nobody watching costs one length check (and, with an outlet, one clock read).

An outlet (switch.app.shared_flow) carries this hub's events to the hubs
sharing its database, and their events come back through `deliver`: a
watcher here sees the whole switch, not one hub of it."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable
from typing import Any, Protocol

from switch.core.capture import Intake
from switch.core.relays import RelayFlag
from switch.core.replies import Reply
from switch.directory.model import Agency

Relays = Iterable[RelayFlag]

# A slow watcher loses its oldest events rather than slowing the switch.
QUEUE_LIMIT = 1000


class FlowOutlet(Protocol):
    """Where this hub's live flow goes besides its own watchers."""

    @property
    def wanted(self) -> bool:
        """A hub elsewhere has a watcher now."""

    def carry(self, event: dict[str, Any]) -> None:
        """Take one of this hub's events to the others; never blocks."""

    def watched(self) -> None:
        """This hub has a new watcher: the others should carry theirs here."""

    def unwatched(self) -> None:
        """This hub's last watcher has gone: the others may stop."""


class EventBus:
    def __init__(self, hub: str | None = None) -> None:
        """`hub`: the name each event published here is stamped with."""
        self.hub = hub
        self.outlet: FlowOutlet | None = None
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._sequence = itertools.count(1)

    @property
    def local_watching(self) -> int:
        """Watchers of this hub's own streams."""
        return len(self._subscribers)

    @property
    def watching(self) -> bool:
        """Anyone, here or (through the outlet) on another hub."""
        return bool(self._subscribers) or (self.outlet is not None and self.outlet.wanted)

    def publish(self, event: dict[str, Any]) -> None:
        """One of this hub's events, to its watchers and the outlet."""
        if not self.watching:
            return
        if self.hub is not None:
            event = {**event, "hub": self.hub}
        self._hand_out(event)
        if self.outlet is not None and self.outlet.wanted:
            self.outlet.carry(event)

    def deliver(self, event: dict[str, Any]) -> None:
        """Another hub's event (it names its hub), to this hub's watchers only."""
        if self._subscribers:
            self._hand_out(event)

    def _hand_out(self, event: dict[str, Any]) -> None:
        # The seq is this bus's own: a stream's ids count up whichever hub
        # an event came from.
        event = {**event, "seq": next(self._sequence)}
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self._subscribers.add(queue)
        if self.outlet is not None:
            self.outlet.watched()
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)
        if self.outlet is not None and not self._subscribers:
            self.outlet.unwatched()


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
