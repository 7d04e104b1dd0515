"""A real state process out of service for 3 s while queries keep coming:
when it returns it receives every kept query in the order they were sent,
and each sender's mailbox gets each answer once."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from simulators.dmv import StateDMV
from simulators.mockstate import MockStateControl
from switch.app.simulated import simulated_states
from switch.core.texts import WILL_FORWARD
from switch.destinations.registry import build_destinations
from tests.forwarding.helpers import mailbox, send
from tests.utils.hubs import make_client
from tests.utils.mockstates import mock_states
from tests.utils.polling import until

OUTAGE_SECONDS = 3.0
PROBE_SECONDS = 0.1
SENDERS = ("NY0303000", "WAOLN0000")
SETTINGS = {
    "forward_probe_seconds": PROBE_SECONDS,  # the hub asks the state again every 0.1 s
    "forward_backoff_seconds": 0.1,
    "policy_poll_seconds": 0,
}


def test_a_state_out_for_3_s_gets_its_queries_in_order_when_it_returns(
    tmp_path: Path,
) -> None:
    # Seconds of real time: run once, on SQLite, not again in the PostgreSQL
    # pass (the store-and-forward tests there cover that backend).
    sqlite_url = f"sqlite:///{tmp_path / 'audit.db'}"
    olns = [StateDMV("MT").driver(i)["OLN"] for i in range(40)]
    with mock_states(("MT", "--fault", "out_of_service")) as [(_, url)]:
        states = build_destinations(f"MT={url}", builtin=simulated_states())
        with (
            make_client(sqlite_url, destinations=states, **SETTINGS) as (client, keys, _),
            ExitStack() as stack,
        ):
            control = stack.enter_context(MockStateControl(url))
            sent: list[tuple[str, str, str]] = []  # (sender, message id, OLN) in order
            started = time.monotonic()
            index = 0
            while time.monotonic() - started < OUTAGE_SECONDS:
                ori = SENDERS[index % 2]
                # Every third waits for its reply: it is told .02. at once all the same.
                wait = 5 if index % 3 == 0 else 0
                reply = send(client, keys, ori, f"DQ.{ori}.MT.TXTOLN/{olns[index]}", wait=wait)
                body = reply.json()
                if wait:
                    assert reply.status_code == 200
                    assert body["results"][0]["status"] == "out_of_service"
                    assert WILL_FORWARD in body["results"][0]["response"]["text"]
                else:
                    assert reply.status_code == 202
                sent.append((ori, body["id"], olns[index]))
                index += 1
                time.sleep(PROBE_SECONDS)  # a query for every probe, as at 1 s
            assert [e for e in control.journal() if e.outcome == "answered"] == []

            control.clear_faults()
            # Queries sent while the backlog drains wait their turn too.
            for extra in range(3):
                ori = SENDERS[extra % 2]
                oln = olns[index + extra]
                reply = send(client, keys, ori, f"DQ.{ori}.MT.TXTOLN/{oln}")
                sent.append((ori, reply.json()["id"], oln))

            def answered() -> list[str]:
                return [e.fields["OLN"] for e in control.journal() if e.outcome == "answered"]

            assert until(answered, lambda got: len(got) == len(sent), 30) == [o for _, _, o in sent]

            delivered: Counter[str] = Counter()
            for ori in SENDERS:
                expected = sum(sender == ori for sender, _, _ in sent)
                items = until(
                    lambda ori=ori: mailbox(client, keys, ori),  # type: ignore[misc]
                    lambda got, n=expected: sum(i["key"] == "DR" for i in got) >= n,  # type: ignore[misc]
                    30,
                )
                delivered.update(i["message_id"] for i in items if i["key"] == "DR")
            assert set(delivered) == {message_id for _, message_id, _ in sent}
            assert set(delivered.values()) == {1}  # none doubled
