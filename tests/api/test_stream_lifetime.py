"""An open stream ends with its key: within seconds of the key's revocation
or expiry, `/v1/events` and `/v1/mailbox/stream` send a last `end` event
saying why and close, and carry nothing after the key ring knows.

The key ring runs on a fake clock, rechecking in the foreground: revoking a
key and moving the clock past the recheck interval is the moment the hub
knows, and the next message is the test. One test runs on the real clocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from switch.access.keys import RECHECK_SECONDS, KeyRing, issue_key, revoke_key
from switch.app.runtime import Runtime
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.utils.clocks import FakeClock
from tests.utils.destinations import FakeState
from tests.utils.streams import StreamWatcher, bearer


@dataclass
class Hub:
    url: str
    runtime: Runtime
    clock: FakeClock

    def key(self, **bound: str | datetime) -> str:
        return issue_key(self.runtime.engine, **bound)  # type: ignore[arg-type]

    def key_id(self, secret: str) -> str:
        return self.runtime.keys.resolve(secret).key_id

    def send(self, key: str, text: str) -> str:
        reply = httpx.post(f"{self.url}/v1/messages", content=text, headers=bearer(key), timeout=30)
        assert reply.status_code in (200, 422), reply.text
        message_id: str = reply.json()["id"]
        return message_id


@contextmanager
def hub(sqlite_url: str, *, fake: bool = True) -> Iterator[Hub]:
    clock = FakeClock()
    runtimes: list[Runtime] = []

    def factory() -> Runtime:
        runtime = Runtime(
            Settings(database_url=sqlite_url, policy_poll_seconds=0),
            destinations={"WA": FakeState("WA")},
        )
        if fake:
            runtime.keys = KeyRing(
                runtime.engine, clock=clock.monotonic, wall=clock.wall, background=False
            )
        runtimes.append(runtime)
        return runtime

    with running_hub(factory) as url:
        yield Hub(url, runtimes[0], clock)


def test_a_revoked_admins_live_flow_ends_and_carries_nothing_after(sqlite_url: str) -> None:
    with hub(sqlite_url) as h:
        admin, ice = h.key(admin_scope="*"), h.key(ori="VTICE0900")
        watcher = StreamWatcher(f"{h.url}/v1/events", headers=bearer(admin))
        assert watcher.connected.wait(10)
        before = h.send(ice, "DQ.VTICE0900.WA.TXTOLN/BEFORE1")
        assert [e["id"] for e in watcher.wait_for(1)] == [before]

        revoke_key(h.runtime.engine, h.key_id(admin))
        h.clock.advance(RECHECK_SECONDS)
        h.send(ice, "DQ.VTICE0900.WA.TXTOLN/AFTER1")
        assert watcher.join()
        assert [e["id"] for e in watcher.events] == [before]
        assert watcher.ended_because == "key revoked"


def test_a_revoked_agencys_mailbox_stream_ends_and_carries_no_mail_after(
    sqlite_url: str,
) -> None:
    with hub(sqlite_url) as h:
        ny, ice = h.key(ori="NY0303000"), h.key(ori="VTICE0900")
        watcher = StreamWatcher(f"{h.url}/v1/mailbox/stream", headers=bearer(ny))
        assert watcher.connected.wait(10)
        before = h.send(ice, "AM.VTICE0900.NY0303000.TXTBEFORE")
        assert [e["message_id"] for e in watcher.wait_for(1)] == [before]

        revoke_key(h.runtime.engine, h.key_id(ny))
        h.clock.advance(RECHECK_SECONDS)
        h.send(ice, "AM.VTICE0900.NY0303000.TXTAFTER")
        assert watcher.join()
        assert [e["message_id"] for e in watcher.events] == [before]
        assert watcher.ended_because == "key revoked"


def test_a_stream_ends_when_its_key_expires(sqlite_url: str) -> None:
    with hub(sqlite_url) as h:
        expires = datetime.fromtimestamp(h.clock.wall(), UTC) + timedelta(minutes=10)
        admin = h.key(admin_scope="*", expires_at=expires)
        ny = h.key(ori="NY0303000", expires_at=expires)
        ice = h.key(ori="VTICE0900")
        flow = StreamWatcher(f"{h.url}/v1/events", headers=bearer(admin))
        mail = StreamWatcher(f"{h.url}/v1/mailbox/stream", headers=bearer(ny))
        assert flow.connected.wait(10) and mail.connected.wait(10)

        h.clock.advance(10 * 60 + 1)
        # Nothing else happens: the streams notice the time on their own.
        assert flow.join() and mail.join()
        assert (flow.ended_because, mail.ended_because) == ("key expired", "key expired")
        h.send(ice, "AM.VTICE0900.NY0303000.TXTLATE")
        assert flow.events == [] and mail.events == []


def test_a_stream_opened_with_a_ticket_ends_with_the_tickets_key(sqlite_url: str) -> None:
    with hub(sqlite_url) as h:
        admin, ice = h.key(admin_scope="*"), h.key(ori="VTICE0900")
        ticket = httpx.post(
            f"{h.url}/v1/stream-tickets", json={"stream": "events"}, headers=bearer(admin)
        ).json()["ticket"]
        watcher = StreamWatcher(f"{h.url}/v1/events", params={"ticket": ticket})
        assert watcher.connected.wait(10)
        assert watcher.status == 200
        before = h.send(ice, "DQ.VTICE0900.WA.TXTOLN/TICKET1")
        assert [e["id"] for e in watcher.wait_for(1)] == [before]

        revoke_key(h.runtime.engine, h.key_id(admin))
        h.clock.advance(RECHECK_SECONDS)
        h.send(ice, "DQ.VTICE0900.WA.TXTOLN/TICKET2")
        assert watcher.join()
        assert [e["id"] for e in watcher.events] == [before]
        assert watcher.ended_because == "key revoked"


def test_on_the_real_clocks_a_revoked_keys_streams_end(sqlite_url: str) -> None:
    """No fakes: the key ring rechecks in its background thread, as in
    `switch serve`, and the key is revoked as `switch keys revoke` does."""
    with hub(sqlite_url, fake=False) as h:
        admin, ny = h.key(admin_scope="*"), h.key(ori="NY0303000")
        flow = StreamWatcher(f"{h.url}/v1/events", headers=bearer(admin))
        mail = StreamWatcher(f"{h.url}/v1/mailbox/stream", headers=bearer(ny))
        assert flow.connected.wait(10) and mail.connected.wait(10)
        revoke_key(h.runtime.engine, h.key_id(admin))
        revoke_key(h.runtime.engine, h.key_id(ny))
        assert flow.join() and mail.join()
        assert (flow.ended_because, mail.ended_because) == ("key revoked", "key revoked")
