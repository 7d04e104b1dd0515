"""Crash safety: a hub killed with SIGKILL under load and restarted on the same
database has lost nothing it answered for and doubled nothing.

- every message a client got a reply for (200 or 202) has its audit record;
- every answered AM is in its addressee's mailbox exactly once, and no
  mailbox holds two items for one (message, destination);
- a message accepted with wait=0 gets its outcome in the mailbox after the
  restart, once;
- queries kept for an out-of-service state survive the crash and are
  forwarded once each, in order, when the state returns.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from simulators.dmv import StateDMV
from switch.access.keys import issue_key
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_records, forward_queue, mailbox
from switch.forwarding.instances import STALE_SECONDS
from tests.utils.polling import until
from tests.utils.processes import hub_process

SENDER = "NY0303000"
ADDRESSEE = "WAOLN0000"
STATES = ("WA", "TX", "NY", "CA")
OLNS = {state: [StateDMV(state).driver(i)["OLN"] for i in range(8)] for state in STATES}
WORKERS = 6
# Replies to collect before the kill: enough that the hub is mid-load.
REPLIES_BEFORE_KILL = 60
FAST_FORWARDING = {
    "SWITCH_FORWARD_PROBE_SECONDS": "0.1",
    "SWITCH_FORWARD_BACKOFF_SECONDS": "0.05",
    "SWITCH_POLICY_POLL_SECONDS": "0",
}


@dataclass(frozen=True)
class Sent:
    kind: str  # DQ | AM
    wait: int
    status: int
    message_id: str


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def keys(engine: Engine) -> dict[str, str]:
    return {
        SENDER: issue_key(engine, ori=SENDER),
        ADDRESSEE: issue_key(engine, ori=ADDRESSEE),
        "admin": issue_key(engine, admin_scope="*"),
    }


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _traffic(n: int) -> tuple[str, int, str]:
    """The n-th message of the load: (kind, wait, text)."""
    kind, wait = [("DQ", 5), ("DQ", 0), ("AM", 5), ("AM", 0)][n % 4]
    if kind == "AM":
        return kind, wait, f"AM.{SENDER}.{ADDRESSEE}.TXTCRASH TEST {n}"
    state = STATES[(n // 4) % len(STATES)]
    return kind, wait, f"DQ.{SENDER}.{state}.TXTOLN/{OLNS[state][n % len(OLNS[state])]}"


def _load(url: str, key: str, dead: threading.Event, enough: threading.Event) -> list[Sent]:
    """Send from WORKERS threads until the hub dies; every reply received."""
    sent: list[Sent] = []
    counter = itertools.count()
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=10, headers=_auth(key)) as client:
            while not dead.is_set():
                kind, wait, text = _traffic(next(counter))
                try:
                    reply = client.post("/v1/messages", params={"wait": wait}, content=text)
                except httpx.TransportError:
                    return  # the hub is gone: this request got no reply
                assert reply.status_code in (200, 202), reply.text
                with lock:
                    sent.append(Sent(kind, wait, reply.status_code, reply.json()["id"]))
                    if len(sent) >= REPLIES_BEFORE_KILL:
                        enough.set()

    with ThreadPoolExecutor(WORKERS) as pool:
        for future in [pool.submit(worker) for _ in range(WORKERS)]:
            future.result()
    return sent


def _mailbox(engine: Engine) -> list[tuple[str, str, str]]:
    """(ori, message_id, destination) of every mailbox item, in order."""
    with engine.connect() as conn:
        rows = conn.execute(select(mailbox).order_by(mailbox.c.seq)).all()
    return [(r.ori, r.message_id, json.loads(r.payload)["result"]["destination"]) for r in rows]


def _audited(engine: Engine, ids: list[str]) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(select(audit_records.c.id).where(audit_records.c.id.in_(ids)))
        return {row.id for row in rows}


def test_a_hub_killed_under_load_keeps_what_it_answered(
    database_url: str, engine: Engine, keys: dict[str, str], tmp_path: Path
) -> None:
    dead, enough = threading.Event(), threading.Event()
    with hub_process(database_url, tmp_path) as hub, ThreadPoolExecutor(1) as runner:
        load = runner.submit(_load, hub.url, keys[SENDER], dead, enough)
        assert enough.wait(timeout=30), hub.output()
        hub.kill()
        dead.set()
        sent = load.result(timeout=30)

    ids = [s.message_id for s in sent]
    assert len(set(ids)) == len(ids) >= REPLIES_BEFORE_KILL
    assert _audited(engine, ids) == set(ids), "a replied message has no audit record"

    with hub_process(database_url, tmp_path) as again:
        # The restarted hub answers on the same database.
        reply = httpx.post(
            f"{again.url}/v1/messages",
            params={"wait": 5},
            content=_traffic(0)[2],
            headers=_auth(keys[SENDER]),
            timeout=10,
        )
        assert reply.status_code == 200, reply.text
        items = _mailbox(engine)
        doubled = [item for item, n in Counter(items).items() if n > 1]
        assert doubled == [], "mailbox items doubled"
        answered_ams = {s.message_id for s in sent if s.kind == "AM" and s.wait > 0}
        delivered = {mid for ori, mid, _ in items if ori == ADDRESSEE}
        assert answered_ams <= delivered, "an answered AM is missing from its addressee's mailbox"


def _black_hole() -> socket.socket:
    """A port that accepts connections and never answers: a state so slow
    that a query to it is still in flight when the hub dies."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def test_accepted_messages_get_their_outcome_after_a_crash(
    database_url: str, engine: Engine, keys: dict[str, str], tmp_path: Path
) -> None:
    with _black_hole() as hole:
        slow_or = {"SWITCH_STATES": f"OR=http://127.0.0.1:{hole.getsockname()[1]}?timeout=30"}
        with (
            hub_process(database_url, tmp_path, slow_or) as hub,
            httpx.Client(base_url=hub.url, timeout=10, headers=_auth(keys[SENDER])) as client,
        ):
            ids = []
            for n in range(5):
                reply = client.post(
                    "/v1/messages", params={"wait": 0}, content=f"DQ.{SENDER}.OR.TXTOLN/CRASH{n}"
                )
                assert reply.status_code == 202, reply.text
                ids.append(reply.json()["id"])
            hub.kill()  # every one of them is waiting on OR
    assert _audited(engine, ids) == set(ids)

    # The restarted hub takes over what the dead one held once it has missed
    # its beats (STALE_SECONDS), then routes it: OR answers now (built in).
    with hub_process(database_url, tmp_path):
        assert until(
            lambda: {mid for _, mid, _ in _mailbox(engine)} >= set(ids),
            seconds=STALE_SECONDS + 15,
        )
        items = [(mid, dest) for _, mid, dest in _mailbox(engine) if mid in ids]
        assert sorted(items) == sorted((mid, "OR") for mid in ids)


def test_queries_kept_for_a_state_survive_a_crash_and_go_out_once_in_order(
    database_url: str, engine: Engine, keys: dict[str, str], tmp_path: Path
) -> None:
    admin = _auth(keys["admin"])
    with (
        hub_process(database_url, tmp_path, FAST_FORWARDING) as hub,
        httpx.Client(base_url=hub.url, timeout=10) as client,
    ):
        marked = client.put("/v1/status/OR", headers=admin)
        assert marked.status_code == 200, marked.text
        ids = []
        for n in range(6):
            reply = client.post(
                "/v1/messages",
                params={"wait": 5},
                content=f"DQ.{SENDER}.OR.TXTOLN/KEPT{n}",
                headers=_auth(keys[SENDER]),
            )
            assert reply.status_code == 200, reply.text
            [result] = reply.json()["results"]
            assert result["status"] == "out_of_service"
            assert result["response"]["key"] == "SM" and ".02." in result["response"]["text"]
            ids.append(reply.json()["id"])
        hub.kill()

    with engine.connect() as conn:
        kept = conn.execute(select(forward_queue).order_by(forward_queue.c.seq)).all()
    assert [(r.message_id, r.status) for r in kept] == [(mid, "queued") for mid in ids]

    with hub_process(database_url, tmp_path, FAST_FORWARDING) as again:
        back = httpx.delete(f"{again.url}/v1/status/OR", headers=admin, timeout=10)
        assert back.status_code == 200, back.text

        def answered() -> list[str]:
            return [mid for ori, mid, _ in _mailbox(engine) if ori == SENDER and mid in ids]

        assert until(lambda: len(answered()) >= len(ids), seconds=15)
        assert answered() == ids  # each once, in the order they came
        with engine.connect() as conn:
            statuses = conn.execute(select(forward_queue.c.status)).scalars().all()
        assert statuses == ["forwarded"] * len(ids)
