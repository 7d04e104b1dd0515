"""Two `switch serve` processes on one PostgreSQL database show one switch's
live flow: a stream on either hub carries the other's messages within a
second, each once, named with the hub it went through, and projected for
its reader as the hub's own are. A lost channel costs the stream nothing
but the other hub's events, until it is back."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from switch.db.database import open_engine
from tests.utils.hub_pair import HubPair, hub_pair
from tests.utils.polling import until
from tests.utils.streams import StreamWatcher, bearer

pytestmark = pytest.mark.postgres

# The contract is a second; `make bench-flow` measures the crossing (a few
# ms). A test asserts that it comes, with room for a loaded CI machine:
# wall-clock time is the benchmark's to state, not a test's to race.
FLOW_SECONDS = 5.0
# A bound on waits that are not the contract (a start, a reconnection).
DEADLINE = 20.0


@pytest.fixture(scope="module")
def switch(
    tmp_path_factory: pytest.TempPathFactory, postgres_module_database: str
) -> Iterator[HubPair]:
    with hub_pair(postgres_module_database, tmp_path_factory.mktemp("shared-flow")) as pair:
        yield pair


def _ids(watcher: StreamWatcher) -> list[str]:
    return [e["id"] for e in list(watcher.events)]


def _event(watcher: StreamWatcher, message_id: str) -> dict[str, Any] | None:
    return next((e for e in list(watcher.events) if e["id"] == message_id), None)


def _arrives(watcher: StreamWatcher, message_id: str, seconds: float) -> dict[str, Any]:
    event = until(lambda: _event(watcher, message_id), seconds=seconds, interval=0.005)
    assert event is not None, f"{message_id} not on the stream after {seconds} s: {_ids(watcher)}"
    return event


def _carried(switch: HubPair, watcher: StreamWatcher) -> None:
    """Once the other hub has heard of the watcher (a NOTIFY away), it
    carries its events: send through it until one comes."""

    def through_b() -> bool:
        message_id = switch.send(switch.b, "NY0303000", "TX")
        return until(lambda: _event(watcher, message_id), seconds=0.5) is not None

    assert until(through_b, seconds=DEADLINE, interval=0.1)


def test_a_stream_on_one_hub_carries_the_others_messages_once(
    switch: HubPair,
) -> None:
    watcher = switch.stream(switch.a, "*")
    _carried(switch, watcher)
    sent: dict[str, str] = {}
    for _ in range(5):
        sent[switch.send(switch.b, "NY0303000", "TX")] = "hub-b"
        sent[switch.send(switch.a, "NY0303000", "TX")] = "hub-a"
    for message_id, hub in sent.items():
        event = _arrives(watcher, message_id, FLOW_SECONDS)
        assert event["hub"] == hub
        assert [r["decision"] for r in event["results"]] == ["permit"]
    # One message more through each, last: every earlier one has come by then.
    for hub in (switch.a, switch.b):
        _arrives(watcher, switch.send(hub, "NY0303000", "TX"), FLOW_SECONDS)
    ids = _ids(watcher)
    assert len(ids) == len(set(ids)), "an event came twice"
    seqs = [e["seq"] for e in list(watcher.events)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_a_state_admin_sees_of_the_other_hubs_messages_what_it_sees_of_this_ones(
    switch: HubPair,
) -> None:
    everything = switch.stream(switch.a, "*")
    washington = switch.stream(switch.a, "WA")
    _carried(switch, everything)
    for hub in (switch.b, switch.a):
        elsewhere = switch.send(hub, "NY0303000", "TX")
        both = switch.send(hub, "NY0303000", "WA,TX")
        seen = _arrives(washington, both, FLOW_SECONDS)
        whole = _arrives(everything, both, FLOW_SECONDS)
        # Washington's own outcome whole, Texas's only as routed there.
        mine = {r["destination"]: r for r in seen["results"]}
        assert mine["WA"]["decision"] == "permit" and mine["WA"]["response"]
        assert "decision" not in mine["TX"] and "response" not in mine["TX"]
        assert {r["destination"]: r["decision"] for r in whole["results"]} == {
            "WA": "permit",
            "TX": "permit",
        }
        # Events of one hub keep their order: the first had come by now.
        assert _event(everything, elsewhere) is not None
        assert _event(washington, elsewhere) is None


def _server(database_url: str, sql: str) -> int:
    """Run `sql` on the server from its `test` database, with :name this
    test's database; how many rows it answered."""
    name = database_url.rsplit("/", 1)[1]
    engine = open_engine(database_url.rsplit("/", 1)[0] + "/test")
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            result = conn.execute(text(sql.replace(":name", f'"{name}"')), {"db": name})
            return len(result.all()) if result.returns_rows else 0
    finally:
        engine.dispose()


# The channel's connections, cut as a server restart cuts them.
KILL_CHANNELS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = :db AND application_name LIKE 'switch-flow-%'"
)


def test_a_lost_channel_leaves_the_stream_its_own_hubs_flow_and_comes_back(
    switch: HubPair,
) -> None:
    watcher = switch.stream(switch.a, "*")
    _carried(switch, watcher)
    lost = "live flow of other hubs lost"
    before = switch.a.output().count(lost)
    # As a restart of the server: the channel's connections cut, and for a
    # while no new one let in, so it tries again more than once.
    _server(switch.database_url, "ALTER DATABASE :name ALLOW_CONNECTIONS false")
    try:
        assert _server(switch.database_url, KILL_CHANNELS) == 4  # listen and work, each hub
        assert until(lambda: switch.a.output().count(lost) > before, seconds=DEADLINE)
        # The hub's own pool still holds connections: its messages go on.
        local = switch.send(switch.a, "NY0303000", "TX")
        assert _arrives(watcher, local, DEADLINE)["hub"] == "hub-a"
        deadline = time.monotonic() + 2.0  # several reconnection attempts fail
        until(lambda: time.monotonic() > deadline, seconds=3.0, interval=0.1)
    finally:
        _server(switch.database_url, "ALTER DATABASE :name ALLOW_CONNECTIONS true")
    assert until(lambda: "live flow of other hubs is back" in switch.a.output(), seconds=DEADLINE)
    _carried(switch, watcher)
    assert switch.a.output().count(lost) == before + 1, switch.a.output()
    assert not watcher.finished and watcher.status == 200
    assert "Traceback" not in switch.a.output()


def test_an_event_past_a_notice_payload_crosses_whole(switch: HubPair) -> None:
    """PostgreSQL's NOTIFY takes 8000 bytes; the event goes by its id, and
    comes as the hub that carried it shows it."""
    watcher = switch.stream(switch.a, "*")
    at_b = switch.stream(switch.b, "*")
    _carried(switch, watcher)
    # Quotes escaped on the way: an AM of some 3,980 characters (it takes at
    # most 4,000) makes an event of over 8000 bytes.
    text = "AM.NY0303000.WA.TXT" + ('"CLOSED" AT "MILE 12", "DETOUR" "SOUTH". ' * 97).strip()
    reply = httpx.post(
        f"{switch.b.url}/v1/messages",
        content=text.encode(),
        headers=bearer(switch.keys["NY0303000"]),
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    event = _arrives(watcher, reply.json()["id"], FLOW_SECONDS)
    own = _arrives(at_b, reply.json()["id"], FLOW_SECONDS)
    assert {**event, "seq": 0} == {**own, "seq": 0}
    assert event["hub"] == "hub-b" and event["key"] == "AM"
    assert len(json.dumps(event).encode()) > 8000
