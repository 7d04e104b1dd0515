"""What a hub makes of the notices on the shared live-flow channel, without a
server: its own are skipped, another hub's watcher opens a lease that makes
this hub carry its events, and ids are fetched only for a watcher here."""

from __future__ import annotations

import os
import socket

from switch.app.runtime import Runtime
from switch.app.shared_flow import OUTBOX_LIMIT, SharedFlow
from switch.core.events import EventBus
from switch.settings import Settings
from tests.utils.hubs import make_runtime


def _flow() -> tuple[SharedFlow, EventBus]:
    bus = EventBus(hub="a")
    flow = SharedFlow("postgresql://nowhere/none", bus, "inst-a")
    flow._connected = True  # as once the channel is up
    return flow, bus


def test_a_watcher_on_another_hub_makes_this_one_carry_its_events() -> None:
    flow, bus = _flow()
    assert not bus.watching
    flow._heard("w inst-a")  # our own announcement, heard back
    assert not bus.watching
    flow._heard("w inst-b")
    assert bus.watching and flow.wanted
    bus.publish({"id": "m1"})
    assert [e["id"] for e in flow._outbox] == ["m1"]


def test_a_hub_whose_last_watcher_left_is_carried_for_no_longer() -> None:
    flow, bus = _flow()
    flow._heard("w inst-b")
    flow._heard("w inst-c")
    flow._heard("u inst-b")
    assert bus.watching  # c still watches
    flow._heard("u inst-c")
    assert not bus.watching


def test_this_hub_says_when_its_first_watcher_comes_and_its_last_goes() -> None:
    flow, bus = _flow()
    first = bus.subscribe()
    assert flow._announce
    flow._announce = False
    second = bus.subscribe()
    bus.unsubscribe(first)
    flow._announce = False
    bus.unsubscribe(second)
    assert flow._announce  # `u`, sent by the channel's worker


def test_no_lease_counts_while_the_channel_is_down() -> None:
    flow, bus = _flow()
    flow._heard("w inst-b")
    flow._connected = False
    assert not bus.watching


def test_ids_are_fetched_for_a_watcher_here_and_never_our_own() -> None:
    flow, bus = _flow()
    flow._heard("e inst-b 7,8")
    assert list(flow._to_fetch) == []  # nobody here to show them to
    bus.subscribe()
    flow._heard("e inst-a 9")
    flow._heard("e inst-b 10,11")
    flow._heard("e inst-b 12,x,")  # a malformed id is skipped, not fatal
    assert list(flow._to_fetch) == [10, 11, 12]


def test_a_hub_with_watchers_answers_who_watches() -> None:
    flow, bus = _flow()
    flow._heard("?")
    assert not flow._announce
    bus.subscribe()
    flow._announce = False
    flow._heard("?")
    assert flow._announce


def test_the_outbox_is_bounded_and_keeps_the_newest() -> None:
    flow, bus = _flow()
    flow._heard("w inst-b")
    for n in range(1500):
        bus.publish({"id": str(n)})
    assert len(flow._outbox) == OUTBOX_LIMIT
    assert flow._outbox[0]["id"] == str(1500 - OUTBOX_LIMIT)


def test_only_a_hub_on_postgresql_shares_its_flow_and_every_event_names_its_hub(
    database_url: str,
) -> None:
    named = make_runtime(database_url, hub_name="east-1")
    try:
        on_postgres = named.engine.dialect.name == "postgresql"
        assert isinstance(named.shared_flow, SharedFlow) is on_postgres
        queue = named.hub.events.subscribe()
        named.hub.events.publish({"id": "m1"})
        assert queue.get_nowait()["hub"] == "east-1"
    finally:
        named.engine.dispose()
    alone = make_runtime(database_url, shared_flow=False)
    try:
        assert alone.shared_flow is None
        assert alone.name == f"{socket.gethostname()}:{os.getpid()}"
    finally:
        alone.engine.dispose()
    served = Runtime(Settings(database_url=database_url), port=8123)  # as `switch serve` makes it
    try:
        assert served.name == f"{socket.gethostname()}:8123"
    finally:
        served.engine.dispose()
