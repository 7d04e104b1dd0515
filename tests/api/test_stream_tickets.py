"""Opening a live stream without a secret in its URL: `?key=` is refused
with a pointer to stream tickets, and a ticket from POST /v1/stream-tickets
(the key in the Authorization header) opens the stream it names, once, with
its key's scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from switch.access.keys import KeyRing, issue_key, revoke_key
from switch.access.tickets import UNKNOWN
from switch.api.stream_auth import KEY_IN_URL, NO_CREDENTIAL
from switch.app.runtime import Runtime
from switch.errors import AuthError
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.utils.databases import Databases
from tests.utils.destinations import FakeState
from tests.utils.hubs import Runtimes, make_client
from tests.utils.polling import until
from tests.utils.streams import StreamWatcher, bearer

STREAMS = {"events": "/v1/events", "mailbox": "/v1/mailbox/stream"}


@dataclass
class Hub:
    url: str
    runtime: Runtime
    keys: dict[str, str]

    def ticket(self, key: str, stream: str) -> httpx.Response:
        return httpx.post(
            f"{self.url}/v1/stream-tickets", json={"stream": stream}, headers=bearer(self.keys[key])
        )

    def open(self, stream: str, **request: Any) -> tuple[int, Any]:
        """The status of opening `stream`, and the refusal's body if any."""
        with httpx.stream("GET", self.url + STREAMS[stream], timeout=10, **request) as reply:
            body = reply.read() if reply.status_code != 200 else b"{}"
            return reply.status_code, httpx.Response(200, content=body).json()

    def send(self, key: str, text: str) -> str:
        reply = httpx.post(f"{self.url}/v1/messages", content=text, headers=bearer(self.keys[key]))
        assert reply.status_code == 200, reply.text
        message_id: str = reply.json()["id"]
        return message_id


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, audit_databases: Databases) -> Iterator[Hub]:
    # SQLite; on the suite's PostgreSQL pass, a PostgreSQL database.
    folder = tmp_path_factory.mktemp("tickets")
    settings = Settings(database_url=audit_databases.url(folder), policy_poll_seconds=0)
    runtimes = Runtimes(settings, destinations={"WA": FakeState("WA"), "OR": FakeState("OR")})

    with running_hub(runtimes) as url:
        engine = runtimes.first.engine
        keys = {
            "admin": issue_key(engine, admin_scope="*"),
            "wa_admin": issue_key(engine, admin_scope="WA"),
            "NY0303000": issue_key(engine, ori="NY0303000"),
            "VTICE0900": issue_key(engine, ori="VTICE0900"),
        }
        yield Hub(url, runtimes.first, keys)


@pytest.mark.parametrize(("stream", "key"), [("events", "admin"), ("mailbox", "NY0303000")])
def test_a_key_in_the_url_is_refused_with_the_way_to_open_the_stream(
    hub: Hub, stream: str, key: str
) -> None:
    secret = hub.keys[key]
    for request in (
        {"params": {"key": secret}},
        {"params": {"key": secret}, "headers": bearer(secret)},
        {"params": {"key": ""}},
    ):
        status, body = hub.open(stream, **request)
        assert (status, body["error"]["message"]) == (401, KEY_IN_URL)
    assert "POST /v1/stream-tickets" in KEY_IN_URL and "?ticket=" in KEY_IN_URL
    # The same key in the header opens it.
    watcher = StreamWatcher(hub.url + STREAMS[stream], headers=bearer(secret))
    assert watcher.connected.wait(10) and watcher.status == 200


def test_a_ticket_opens_the_stream_it_names_once(hub: Hub) -> None:
    reply = hub.ticket("admin", "events")
    assert reply.status_code == 201 and reply.headers["cache-control"] == "no-store"
    body = reply.json()
    assert set(body) == {"ticket", "stream", "expires_in", "url"}
    assert (body["stream"], body["expires_in"]) == ("events", 60.0)
    assert body["url"] == f"/v1/events?ticket={body['ticket']}"
    assert hub.keys["admin"] not in reply.text

    watcher = StreamWatcher(hub.url + body["url"])
    assert watcher.connected.wait(10) and watcher.status == 200
    sent = hub.send("VTICE0900", "DQ.VTICE0900.WA.TXTOLN/TICKET1")
    assert [e["id"] for e in watcher.wait_for(1)] == [sent]
    # Spent: the same ticket opens nothing more, on either stream.
    status, refused = hub.open("events", params={"ticket": body["ticket"]})
    assert (status, refused["error"]["message"]) == (401, UNKNOWN)

    mailbox = hub.ticket("NY0303000", "mailbox").json()
    status, refused = hub.open("events", params={"ticket": mailbox["ticket"]})
    assert (status, refused["error"]["message"]) == (
        401,
        "this stream ticket opens the mailbox stream, not events",
    )
    fresh = hub.ticket("NY0303000", "mailbox").json()
    watcher = StreamWatcher(hub.url + fresh["url"])
    assert watcher.connected.wait(10) and watcher.status == 200
    mail = hub.send("VTICE0900", "AM.VTICE0900.NY0303000.TXTTICKET MAIL")
    assert [e["message_id"] for e in watcher.wait_for(1)] == [mail]


def test_a_ticket_opens_the_stream_with_its_keys_scope(hub: Hub) -> None:
    ticket = hub.ticket("wa_admin", "events").json()
    watcher = StreamWatcher(hub.url + ticket["url"])
    assert watcher.connected.wait(10)
    hub.send("NY0303000", "DQ.NY0303000.OR.TXTOLN/NOTWA1")  # not Washington's
    to_wa = hub.send("VTICE0900", "DQ.VTICE0900.WA.TXTOLN/WA1")
    assert [e["id"] for e in watcher.wait_for(1)] == [to_wa]


@pytest.mark.parametrize(
    ("key", "body", "status", "message"),
    [
        ("NY0303000", {"stream": "events"}, 403, "the live flow is for admin keys"),
        ("admin", {"stream": "mailbox"}, 403, "a mailbox belongs to an agency key"),
        ("wa_admin", {"stream": "mailbox"}, 403, "a mailbox belongs to an agency key"),
        (None, {"stream": "events"}, 401, "missing bearer key"),
        ("sw_guess", {"stream": "events"}, 401, "unknown key"),
        ("admin", {"stream": "audit"}, 422, None),
        ("admin", {"stream": "events", "extra": 1}, 422, None),
        ("admin", {}, 422, None),
    ],
)
def test_tickets_go_only_to_keys_that_may_open_the_stream(
    hub: Hub, key: str | None, body: dict[str, Any], status: int, message: str | None
) -> None:
    headers = {} if key is None else bearer(hub.keys.get(key, key))
    reply = httpx.post(f"{hub.url}/v1/stream-tickets", json=body, headers=headers)
    assert reply.status_code == status, reply.text
    if message is not None:
        assert reply.json()["error"]["message"] == message


def test_a_ticket_does_not_take_its_key_in_the_url(hub: Hub) -> None:
    reply = httpx.post(
        f"{hub.url}/v1/stream-tickets", json={"stream": "events"}, params={"key": hub.keys["admin"]}
    )
    assert (reply.status_code, reply.json()["error"]["message"]) == (401, "missing bearer key")


def test_a_stream_without_key_or_ticket_says_how_to_open_it(hub: Hub) -> None:
    for stream in STREAMS:
        status, body = hub.open(stream)
        assert (status, body["error"]["message"]) == (401, NO_CREDENTIAL)
        status, body = hub.open(stream, params={"ticket": "st_made_up"})
        assert (status, body["error"]["message"]) == (401, UNKNOWN)


def test_a_ticket_of_a_key_revoked_since_opens_nothing(hub: Hub) -> None:
    engine = hub.runtime.engine
    secret = issue_key(engine, ori="NY0303000")
    ticket = httpx.post(
        f"{hub.url}/v1/stream-tickets", json={"stream": "mailbox"}, headers=bearer(secret)
    ).json()["ticket"]
    revoke_key(engine, hub.runtime.keys.resolve(secret).key_id)
    # Once the hub's key ring knows (within its recheck interval), the
    # ticket is worth nothing.
    until(lambda: _works(hub.runtime.keys, secret), lambda works: not works, seconds=10)
    status, body = hub.open("mailbox", params={"ticket": ticket})
    assert (status, body["error"]["message"]) == (401, "key revoked")


def _works(keys: KeyRing, secret: str) -> bool:
    try:
        keys.resolve(secret)
    except AuthError:
        return False
    return True


def test_tickets_unavailable_are_a_503_with_a_code(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, runtime):
        with runtime.engine.begin() as conn:
            conn.execute(text("DROP TABLE stream_tickets"))
        reply = client.post(
            "/v1/stream-tickets", json={"stream": "events"}, headers=keys.admin_auth
        )
        assert reply.status_code == 503
        assert reply.json()["error"]["code"] == "TICKETS_UNAVAILABLE"
        opened = client.get("/v1/events", params={"ticket": "st_" + "x" * 43})
        assert (opened.status_code, opened.json()["error"]["code"]) == (503, "TICKETS_UNAVAILABLE")
