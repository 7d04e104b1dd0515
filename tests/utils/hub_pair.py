"""Two `switch serve` processes, `hub-a` and `hub-b`, on one PostgreSQL
database, with keys for senders and admins, for tests of what the switch
does as a whole (the live flow of both hubs on either's page)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from switch.access.keys import issue_key
from switch.db.database import open_engine
from tests.utils.processes import HubProcess, hub_processes
from tests.utils.streams import DEADLINE, StreamWatcher, bearer

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
SENDERS = ("NY0303000", "VTICE0900")
ADMINS = ("*", "WA")
_controls = itertools.count(1)


@dataclass
class HubPair:
    a: HubProcess
    b: HubProcess
    keys: dict[str, str]  # by sender ORI, and by admin scope
    database_url: str

    def send(self, hub: HubProcess, ori: str, dests: str, oln: str = "X12345") -> str:
        """A DQ through `hub`, answered; its message id."""
        control = f"F{next(_controls):04d}"
        reply = httpx.post(
            f"{hub.url}/v1/messages",
            content=f"DQ.{ori}.{dests}.*{control}.TXTOLN/{oln}",
            headers=bearer(self.keys[ori]),
            timeout=30,
        )
        assert reply.status_code == 200, reply.text
        message_id: str = reply.json()["id"]
        return message_id

    def stream(self, hub: HubProcess, key: str) -> StreamWatcher:
        """`/v1/events` on `hub` with the admin key of scope `key`, open."""
        watcher = StreamWatcher(f"{hub.url}/v1/events", headers=bearer(self.keys[key]))
        assert watcher.connected.wait(DEADLINE) and watcher.status == 200
        return watcher


@contextmanager
def hub_pair(database_url: str, folder: Path) -> Iterator[HubPair]:
    envs = [
        {"SWITCH_POLICIES": str(SHIPPED), "SWITCH_HUB_NAME": name} for name in ("hub-a", "hub-b")
    ]
    with hub_processes(database_url, folder, *envs) as [a, b]:
        engine = open_engine(database_url)
        try:
            keys = {ori: issue_key(engine, ori=ori) for ori in SENDERS}
            keys.update({scope: issue_key(engine, admin_scope=scope) for scope in ADMINS})
        finally:
            engine.dispose()
        yield HubPair(a, b, keys, database_url)
