"""A state that answers after the hub's wait: the answer still reaches the
sender's mailbox: by default for up to 60 s, Nlets' longest wait."""

from __future__ import annotations

from switch.core.texts import WILL_NOT_FORWARD
from switch.settings import Settings
from tests.forwarding.conftest import FAST
from tests.forwarding.helpers import mailbox, send
from tests.utils.destinations import FakeState
from tests.utils.hubs import make_client
from tests.utils.polling import until


def test_an_answer_that_misses_the_wait_reaches_the_mailbox(database_url: str) -> None:
    states = {"OR": FakeState("OR", delay=0.5)}
    # Late answers are on without being asked for.
    assert Settings().late_answer_seconds == 60
    with make_client(database_url, destinations=states, **FAST) as (client, keys, _):
        reply = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/A1", wait=0.05).json()
        assert reply["results"][0]["status"] == "no_response"
        items = until(lambda: mailbox(client, keys, "NY0303000"), bool)
        assert [(i["key"], i["message_id"]) for i in items] == [("DR", reply["id"])]
        record = client.get(f"/v1/messages/{reply['id']}", headers=keys.admin_auth).json()
        assert [r["status"] for r in record["results"]] == ["no_response", "answered"]


def test_a_late_answer_that_never_comes_is_an_01(sqlite_url: str) -> None:
    states = {"OR": FakeState("OR", delay=30)}
    settings = {**FAST, "late_answer_seconds": 0.2}
    with make_client(sqlite_url, destinations=states, **settings) as (client, keys, _):
        reply = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/A1", wait=0.05).json()
        assert reply["results"][0]["status"] == "no_response"
        items = until(lambda: mailbox(client, keys, "NY0303000"), bool)
        assert [i["key"] for i in items] == ["SM"]
        assert WILL_NOT_FORWARD in items[0]["text"]


def test_without_late_answers_the_hub_hangs_up(sqlite_url: str) -> None:
    states = {"OR": FakeState("OR", delay=0.3)}
    settings = {**FAST, "late_answer_seconds": 0}
    with make_client(sqlite_url, destinations=states, **settings) as (client, keys, runtime):
        reply = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/A1", wait=0.05).json()
        assert reply["results"][0]["status"] == "no_response"
        assert not runtime.hub._background  # nothing left waiting for OR
        assert mailbox(client, keys, "NY0303000") == []


def test_a_late_answer_is_counted_and_shown_live(sqlite_url: str) -> None:
    # Settled as any other outcome: in the metrics and on the live stream.
    states = {"OR": FakeState("OR", delay=0.3)}
    with make_client(sqlite_url, destinations=states, **FAST) as (client, keys, runtime):
        watcher = runtime.hub.events.subscribe()
        before = _answered_or(client.get("/metrics", headers=keys.admin_auth).text)
        reply = send(client, keys, "NY0303000", "DQ.NY0303000.OR.TXTOLN/A1", wait=0.05).json()
        assert reply["results"][0]["status"] == "no_response"
        until(lambda: mailbox(client, keys, "NY0303000"), bool)
        events = []
        while not watcher.empty():
            events.append(watcher.get_nowait())
        assert [(e["id"], e["results"][0]["status"]) for e in events] == [
            (reply["id"], "no_response"),
            (reply["id"], "answered"),
        ]
        after = _answered_or(client.get("/metrics", headers=keys.admin_auth).text)
        assert after == before + 1


def _answered_or(metrics: str) -> float:
    for line in metrics.splitlines():
        labels = ('state="OR"', 'status="answered"', 'effect="permit"')
        if line.startswith("switch_destination_outcomes_total{") and all(
            label in line for label in labels
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
