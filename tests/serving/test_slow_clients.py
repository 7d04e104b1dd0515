"""Slow and greedy clients against `switch serve` on a real port: a client
trickling its headers is dropped at SWITCH_REQUEST_TIMEOUT, and a client
over a connection cap is answered 503 at once, before it sends a byte.

The hub runs with a 1 s deadline, 2 connections per address and 4 in all;
clients come from several loopback addresses (127.0.0.2 and on), as they
would from several hosts. bench/slowloris.py measures the same at scale."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from typer.testing import CliRunner

from switch.access.keys import issue_key
from switch.cli import app
from switch.db.database import migrate, open_engine
from switch.serving.server import free_port
from tests.utils.databases import Databases
from tests.utils.polling import until
from tests.utils.processes import HubProcess, hub_process

LIMITS = {
    "SWITCH_REQUEST_TIMEOUT": "1",
    "SWITCH_MAX_CONNECTIONS": "4",
    "SWITCH_MAX_CONNECTIONS_PER_CLIENT": "2",
}
# How long a test waits for what should come at once or after 1 s; a hub
# without the guard never answers, and the test fails at this bound.
PATIENCE = 8.0


@pytest.fixture(scope="module")
def hub(
    tmp_path_factory: pytest.TempPathFactory, audit_databases: Databases
) -> Iterator[tuple[HubProcess, str]]:
    folder = tmp_path_factory.mktemp("slow-clients")
    url = audit_databases.url(folder)
    engine = open_engine(url)
    migrate(engine)
    admin = issue_key(engine, admin_scope="*")
    engine.dispose()
    with hub_process(url, folder, LIMITS) as running:
        yield running, admin


def _connect(hub: HubProcess, source: str) -> socket.socket:
    host, port = hub.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), source_address=(source, 0))
    sock.settimeout(PATIENCE)
    return sock


def _read_to_end(sock: socket.socket) -> bytes:
    """What the hub sends before it closes (b"" if it never does)."""
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        pass
    return received


def _response(data: bytes) -> tuple[str, dict[str, object]]:
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), json.loads(body) if body else {}


def _stream(hub: HubProcess, source: str, admin: str) -> socket.socket:
    """A live event stream: a connection busy with its request for good."""
    sock = _connect(hub, source)
    sock.sendall(
        f"GET /v1/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {admin}\r\n\r\n".encode()
    )
    assert sock.recv(4096).startswith(b"HTTP/1.1 200 OK\r\n")
    return sock


def test_a_client_trickling_headers_is_dropped_at_the_timeout(
    hub: tuple[HubProcess, str],
) -> None:
    running, _ = hub
    with _connect(running, "127.0.0.2") as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n")
        sock.settimeout(0.1)
        received = b""
        deadline = time.monotonic() + PATIENCE
        line = 0
        while not received and time.monotonic() < deadline:
            line += 1
            sock.sendall(b"X-Trickle-%d: x\r\n" % line)
            try:
                received = sock.recv(4096)
            except TimeoutError:
                continue
        sock.settimeout(PATIENCE)
        received += _read_to_end(sock)
    assert _response(received) == (
        "HTTP/1.1 408 Request Timeout",
        {
            "error": {
                "code": "REQUEST_TIMEOUT",
                "message": "the request did not arrive whole within 1 s",
            }
        },
    )
    # The hub goes on answering whole requests.
    assert httpx.get(f"{running.url}/healthz").status_code == 200


def test_a_client_over_a_cap_is_answered_503_before_it_sends_a_byte(
    hub: tuple[HubProcess, str],
) -> None:
    running, admin = hub
    with ExitStack() as held:
        for _ in range(2):
            held.enter_context(_stream(running, "127.0.0.3", admin))
        # A third from that address, which has its two.
        with _connect(running, "127.0.0.3") as third:
            assert _response(_read_to_end(third)) == (
                "HTTP/1.1 503 Service Unavailable",
                {
                    "error": {
                        "code": "SERVER_BUSY",
                        "message": "too many connections from this address; retry later",
                    }
                },
            )
        # Other addresses are served meanwhile.
        assert httpx.get(f"{running.url}/healthz").status_code == 200
        # Four busy connections in all: the hub's cap, and none to give way.
        for _ in range(2):
            held.enter_context(_stream(running, "127.0.0.4", admin))
        with _connect(running, "127.0.0.1") as fifth:
            assert _response(_read_to_end(fifth)) == (
                "HTTP/1.1 503 Service Unavailable",
                {
                    "error": {
                        "code": "SERVER_BUSY",
                        "message": "the hub is at its connection limit; retry later",
                    }
                },
            )
    # Their places are free again once the streams end.
    assert until(lambda: _served(running.url), seconds=PATIENCE)


def _served(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz").status_code == 200
    except httpx.HTTPError:
        return False


def test_a_cap_the_open_file_limit_cannot_hold_stops_serve_in_one_line(sqlite_url: str) -> None:
    result = CliRunner().invoke(
        app,
        ["serve", "--port", str(free_port())],
        env={"SWITCH_DATABASE_URL": sqlite_url, "SWITCH_MAX_CONNECTIONS": "100000000"},
    )
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: SWITCH_MAX_CONNECTIONS=100000000 is more than")
