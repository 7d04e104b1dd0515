"""The live-flow bus: each event named with its hub, handed to this hub's
watchers, and to an outlet (the other hubs) only while one of them watches;
another hub's events reach this hub's watchers alone."""

from __future__ import annotations

import asyncio
from typing import Any

from switch.core.events import QUEUE_LIMIT, EventBus


class Outlet:
    def __init__(self) -> None:
        self.wanted = False
        self.carried: list[dict[str, Any]] = []
        self.watched_times = 0

    def carry(self, event: dict[str, Any]) -> None:
        self.carried.append(event)

    def watched(self) -> None:
        self.watched_times += 1


def _drain(queue: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    return [queue.get_nowait() for _ in range(queue.qsize())]


def test_without_an_outlet_the_bus_is_as_before() -> None:
    bus = EventBus(hub="h1:8000")
    assert not bus.watching
    bus.publish({"id": "nobody"})  # nobody watching: dropped
    queue = bus.subscribe()
    bus.publish({"id": "m1"})
    assert _drain(queue) == [{"hub": "h1:8000", "id": "m1", "seq": 1}]


def test_an_event_goes_to_the_outlet_only_while_another_hub_watches() -> None:
    bus, outlet = EventBus(hub="a"), Outlet()
    bus.outlet = outlet
    bus.publish({"id": "m1"})
    assert not bus.watching and outlet.carried == []
    outlet.wanted = True
    assert bus.watching  # no watcher here, one elsewhere
    bus.publish({"id": "m2"})
    assert outlet.carried == [{"hub": "a", "id": "m2"}]  # its seq is each reader's own


def test_another_hubs_event_reaches_this_hubs_watchers_and_goes_nowhere_else() -> None:
    bus, outlet = EventBus(hub="a"), Outlet()
    bus.outlet = outlet
    outlet.wanted = True
    bus.deliver({"hub": "b", "id": "early"})  # nobody watching here yet
    queue = bus.subscribe()
    assert outlet.watched_times == 1
    bus.publish({"id": "mine"})
    bus.deliver({"hub": "b", "id": "theirs", "seq": 41})
    events = _drain(queue)
    assert [(e["hub"], e["id"], e["seq"]) for e in events] == [("a", "mine", 1), ("b", "theirs", 2)]
    assert [e["id"] for e in outlet.carried] == ["mine"]


def test_a_slow_watcher_keeps_only_the_newest_events_from_every_hub() -> None:
    bus = EventBus(hub="a")
    queue = bus.subscribe()
    for n in range(QUEUE_LIMIT + 10):
        (bus.publish if n % 2 else bus.deliver)({"id": str(n), "hub": "b"})
    events = _drain(queue)
    assert len(events) == QUEUE_LIMIT
    assert events[0]["id"] == "10" and events[-1]["id"] == str(QUEUE_LIMIT + 9)
