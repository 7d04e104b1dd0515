"""A client that hangs up in the middle of its request body: one line in the
hub's log, a 400 rather than a server error, and no traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
from starlette.types import Message, Scope

from switch.access.keys import issue_key
from switch.db.database import migrate, open_engine
from tests.utils.hubs import make_client
from tests.utils.polling import until
from tests.utils.processes import hub_process

BODY_START = b"DQ.NY03030"  # 10 bytes of the 1000 announced


def _head(key: str) -> bytes:
    return (
        "POST /v1/messages HTTP/1.1\r\n"
        "Host: hub\r\n"
        f"Authorization: Bearer {key}\r\n"
        "Content-Type: text/plain\r\n"
        "Content-Length: 1000\r\n"
        "\r\n"
    ).encode()


def test_a_hub_logs_one_line_for_a_client_gone_mid_body(sqlite_url: str, tmp_path: Path) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    key = issue_key(engine, ori="NY0303000")
    engine.dispose()
    with hub_process(sqlite_url, tmp_path) as hub:
        host, port = hub.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            client_port = sock.getsockname()[1]
            sock.sendall(_head(key) + BODY_START)
        line = f"127.0.0.1:{client_port} hung up before the whole body of POST /v1/messages arrived"
        assert until(lambda: line in hub.output(), seconds=10)
        # The hub goes on answering.
        assert httpx.get(f"{hub.url}/healthz").status_code == 200
        hub.stop()
    log = hub.log.read_text()
    assert "Traceback" not in log
    assert log.splitlines() == [line]


def test_the_request_is_answered_400_not_500(sqlite_url: str) -> None:
    with make_client(sqlite_url) as (client, keys, _runtime):
        sent: list[Message] = []
        incoming: list[Message] = [
            {"type": "http.request", "body": BODY_START, "more_body": True},
            {"type": "http.disconnect"},
        ]

        async def receive() -> Message:
            return incoming.pop(0)

        async def send(message: Message) -> None:
            sent.append(message)

        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/v1/messages",
            "raw_path": b"/v1/messages",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"hub"),
                (b"authorization", keys.auth("NY0303000")["Authorization"].encode()),
                (b"content-type", b"text/plain"),
                (b"content-length", b"1000"),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }

        async def request() -> None:
            await client.app(scope, receive, send)

        assert client.portal is not None
        client.portal.call(request)
    assert sent[0]["type"] == "http.response.start"
    assert sent[0]["status"] == 400
