"""The connection guard (switch/serving/connections.py) on a fake clock: request
deadlines, the caps per address and overall, and who gives way at the cap.

The protocol runs on a real event loop for its request tasks, but its
timers are on a clock the test moves by hand, and its transport is a fake
that records what the hub wrote."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from uvicorn.config import Config
from uvicorn.server import ServerState

from switch.serving.connections import (
    LINGER_SECONDS,
    ConnectionGate,
    ConnectionLimits,
    GuardedHttpProtocol,
    client_address,
    guarded_protocol,
)
from switch.settings import Settings

TIMEOUT = 10.0


@dataclass(order=True)
class Timer:
    when: float
    callback: Callable[..., object] = field(compare=False)
    args: tuple[object, ...] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class ClockedLoop:
    """The real loop for tasks; `call_later` on a clock moved by `advance`."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.now = 0.0
        self._timers: list[Timer] = []

    def create_task(self, coro: Coroutine[Any, Any, Any], **kwargs: Any) -> asyncio.Task[Any]:
        return self._loop.create_task(coro, **kwargs)

    def call_later(self, delay: float, callback: Callable[..., object], *args: object) -> Timer:
        timer = Timer(self.now + delay, callback, args)
        self._timers.append(timer)
        return timer

    async def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while True:
            due = sorted(t for t in self._timers if not t.cancelled and t.when <= end)
            if not due:
                break
            self._timers.remove(due[0])
            self.now = due[0].when
            due[0].callback(*due[0].args)
            await _settle()
        self.now = end
        await _settle()


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


class FakeTransport:
    def __init__(self, peer: tuple[str, int]) -> None:
        self.peer = peer
        self.written = bytearray()
        self.half_closed = False
        self.closed = False
        self.protocol: GuardedHttpProtocol | None = None

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"peername": self.peer, "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def write(self, data: bytes) -> None:
        assert not self.closed and not self.half_closed, "written after the end"
        self.written += data

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self.half_closed = True

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            assert self.protocol is not None
            self.protocol.connection_lost(None)

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def response(self) -> tuple[str, dict[str, Any]]:
        """The status line and JSON body the hub wrote."""
        head, _, body = bytes(self.written).partition(b"\r\n\r\n")
        return head.split(b"\r\n")[0].decode(), json.loads(body)


def echo(held: asyncio.Event) -> Callable[..., Coroutine[Any, Any, None]]:
    """An app that answers with the body it read; `/hold` first waits on `held`."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if scope["path"] == "/hold":
            await held.wait()
        headers = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


class Server:
    def __init__(self, loop: ClockedLoop, limits: ConnectionLimits) -> None:
        self.loop = loop
        self.protocol = guarded_protocol(limits)
        self.held = asyncio.Event()
        self.config = Config(echo(self.held), lifespan="off", proxy_headers=False)
        self.state = ServerState()
        self._port = 40000

    def connect(self, address: str = "127.0.0.1") -> FakeTransport:
        self._port += 1
        transport = FakeTransport((address, self._port))
        protocol = self.protocol(
            config=self.config,
            server_state=self.state,
            app_state={},
            _loop=self.loop,  # type: ignore[arg-type]
        )
        transport.protocol = protocol
        protocol.connection_made(transport)  # type: ignore[arg-type]
        return transport


def limits(max_connections: int = 100, max_per_client: int = 10) -> ConnectionLimits:
    return ConnectionLimits(TIMEOUT, max_connections, max_per_client)


def run(test: Callable[[ClockedLoop], Coroutine[Any, Any, None]]) -> None:
    async def main() -> None:
        await test(ClockedLoop(asyncio.get_running_loop()))

    asyncio.run(main())


def send(transport: FakeTransport, data: bytes) -> None:
    assert transport.protocol is not None
    transport.protocol.data_received(data)


GET = b"GET /x HTTP/1.1\r\nHost: hub\r\n\r\n"
TIMED_OUT = {
    "error": {
        "code": "REQUEST_TIMEOUT",
        "message": "the request did not arrive whole within 10 s",
    }
}


# Deadlines


def test_headers_trickled_past_the_deadline_are_answered_408_and_closed() -> None:
    async def test(loop: ClockedLoop) -> None:
        conn = Server(loop, limits()).connect()
        send(conn, b"GET /x HTTP/1.1\r\n")
        for second in range(1, 10):
            await loop.advance(1.0)
            send(conn, b"X-Trickle-%d: x\r\n" % second)
        await loop.advance(0.999)
        assert conn.written == b"" and not conn.half_closed
        await loop.advance(0.001)
        assert conn.response() == ("HTTP/1.1 408 Request Timeout", TIMED_OUT)
        assert conn.half_closed and not conn.closed
        # It has a moment to read the answer before the socket goes.
        send(conn, b"X-Ignored: x\r\n")
        await loop.advance(LINGER_SECONDS)
        assert conn.closed

    run(test)


def test_a_body_that_stops_coming_is_dropped_and_the_route_sees_a_hang_up() -> None:
    async def test(loop: ClockedLoop) -> None:
        conn = Server(loop, limits()).connect()
        send(conn, b"POST /x HTTP/1.1\r\nHost: hub\r\nContent-Length: 10\r\n\r\nhello")
        await loop.advance(TIMEOUT)
        # One answer only: the 408; the route's read ended in a hang-up.
        assert conn.response() == ("HTTP/1.1 408 Request Timeout", TIMED_OUT)

    run(test)


def test_a_connection_that_sends_nothing_is_closed_at_the_deadline_unanswered() -> None:
    async def test(loop: ClockedLoop) -> None:
        conn = Server(loop, limits()).connect()
        await loop.advance(TIMEOUT - 0.001)
        assert not conn.half_closed
        await loop.advance(0.001)
        assert conn.written == b"" and conn.half_closed

    run(test)


def test_a_whole_request_is_served_and_the_next_one_has_its_own_deadline() -> None:
    async def test(loop: ClockedLoop) -> None:
        conn = Server(loop, limits()).connect()
        await loop.advance(9.0)
        send(conn, b"POST /x HTTP/1.1\r\nHost: hub\r\nContent-Length: 2\r\n\r\nok")
        await loop.advance(0.0)
        assert conn.written.startswith(b"HTTP/1.1 200 OK\r\n") and conn.written.endswith(b"ok")
        conn.written.clear()
        # Served at 9 s: the first deadline (10 s) no longer applies; the next
        # request must be whole 10 s after the response.
        await loop.advance(4.0)
        send(conn, b"GET /x HTTP/1.1\r\n")
        await loop.advance(5.999)
        assert conn.written == b""
        await loop.advance(0.001)
        assert conn.response() == ("HTTP/1.1 408 Request Timeout", TIMED_OUT)

    run(test)


def test_a_request_being_answered_is_never_timed_out() -> None:
    async def test(loop: ClockedLoop) -> None:
        server = Server(loop, limits())
        conn = server.connect()
        send(conn, b"GET /hold HTTP/1.1\r\nHost: hub\r\n\r\n")
        await loop.advance(60.0)
        assert conn.written == b"" and not conn.half_closed
        server.held.set()
        await loop.advance(0.0)
        assert conn.written.startswith(b"HTTP/1.1 200 OK\r\n")

    run(test)


# Caps


BUSY_CLIENT = {
    "error": {
        "code": "SERVER_BUSY",
        "message": "too many connections from this address; retry later",
    }
}
BUSY_HUB = {
    "error": {"code": "SERVER_BUSY", "message": "the hub is at its connection limit; retry later"}
}


def test_one_connection_over_an_address_cap_is_answered_503_at_once() -> None:
    async def test(loop: ClockedLoop) -> None:
        server = Server(loop, limits(max_per_client=2))
        first, second = server.connect("10.0.0.1"), server.connect("10.0.0.1")
        third = server.connect("10.0.0.1")
        assert third.response() == ("HTTP/1.1 503 Service Unavailable", BUSY_CLIENT)
        assert b"\r\nretry-after: 1\r\n" in third.written and third.half_closed
        # Another address is not held back, and a freed place is taken again.
        other = server.connect("10.0.0.2")
        send(other, GET)
        await loop.advance(0.0)
        assert other.written.startswith(b"HTTP/1.1 200 OK\r\n")
        first.close()
        again = server.connect("10.0.0.1")
        assert again.written == b"" and not again.half_closed
        assert not second.half_closed

    run(test)


def test_at_the_overall_cap_the_longest_waiting_gives_way() -> None:
    async def test(loop: ClockedLoop) -> None:
        server = Server(loop, limits(max_connections=3))
        idle = server.connect("10.0.0.1")
        await loop.advance(1.0)
        slow = server.connect("10.0.0.2")
        send(slow, b"GET /x HTTP/1.1\r\n")
        busy = server.connect("10.0.0.3")
        send(busy, b"GET /hold HTTP/1.1\r\nHost: hub\r\n\r\n")
        newcomer = server.connect("10.0.0.4")
        # The idle one waited longest: closed, with nothing to answer.
        assert idle.written == b"" and idle.half_closed
        # Next, the slow one: it had begun a request, so it is told why.
        after = server.connect("10.0.0.5")
        assert slow.response() == ("HTTP/1.1 503 Service Unavailable", BUSY_HUB)
        for conn in (newcomer, after):
            send(conn, b"GET /hold HTTP/1.1\r\nHost: hub\r\n\r\n")
        # Every place busy with a request: the next is refused.
        refused = server.connect("10.0.0.6")
        assert refused.response() == ("HTTP/1.1 503 Service Unavailable", BUSY_HUB)
        server.held.set()
        await loop.advance(0.0)
        for conn in (busy, newcomer, after):
            assert conn.written.startswith(b"HTTP/1.1 200 OK\r\n")

    run(test)


def test_refusals_linger_only_up_to_a_bound_so_they_cannot_exhaust_files() -> None:
    async def test(loop: ClockedLoop) -> None:
        server = Server(loop, limits(max_connections=100, max_per_client=1))
        server.connect("10.0.0.1")
        refused = [server.connect("10.0.0.1") for _ in range(20)]
        bound = server.protocol.gate.max_lingering
        assert [c.closed for c in refused] == [False] * bound + [True] * (20 - bound)
        assert all(c.response()[0] == "HTTP/1.1 503 Service Unavailable" for c in refused)
        await loop.advance(LINGER_SECONDS)
        assert all(c.closed for c in refused) and server.protocol.gate.lingering == 0

    run(test)


@settings(max_examples=200, deadline=None)
@given(
    max_connections=st.integers(1, 6),
    max_per_client=st.integers(0, 4),
    steps=st.lists(
        st.tuples(st.sampled_from(["admit", "release", "wait", "busy"]), st.integers(0, 30)),
        max_size=80,
    ),
)
def test_the_gate_never_holds_more_than_its_caps(
    max_connections: int, max_per_client: int, steps: list[tuple[str, int]]
) -> None:
    gate: ConnectionGate[int] = ConnectionGate(max_connections, max_per_client)
    admitted: dict[int, str] = {}
    waiting: list[int] = []  # a model of who waits, longest first
    for n, (step, pick) in enumerate(steps):
        if step == "admit":
            client = f"10.0.0.{pick % 3}"
            verdict = gate.admit(n, client)
            over_client = max_per_client and sum(c == client for c in admitted.values()) >= (
                max_per_client
            )
            if over_client:
                assert verdict.refused == "client_cap"
            elif len(admitted) >= max_connections and not waiting:
                assert verdict.refused == "server_cap"
            else:
                assert verdict.refused is None
                if len(admitted) >= max_connections:
                    assert verdict.displaced == waiting[0]
                    del admitted[waiting.pop(0)]
                admitted[n] = client
                waiting.append(n)
        elif admitted:
            chosen = sorted(admitted)[pick % len(admitted)]
            if step == "release":
                gate.release(chosen)
                del admitted[chosen]
            if step in ("release", "busy") and chosen in waiting:
                waiting.remove(chosen)
            if step == "busy":
                gate.busy(chosen)
            if step == "wait" and chosen not in waiting:
                gate.waiting(chosen)
                waiting.append(chosen)
        assert len(gate) == len(admitted) <= max_connections
        for client in set(admitted.values()):
            count = gate.from_client(client)
            assert count == sum(c == client for c in admitted.values())
            assert not max_per_client or count <= max_per_client


# Settings


def test_the_overall_cap_is_three_quarters_of_the_open_file_limit() -> None:
    assert ConnectionLimits.from_settings(Settings(), open_files=1024) == ConnectionLimits(
        10.0, 768, 256
    )
    assert ConnectionLimits.from_settings(Settings(), open_files=200).max_connections == 136
    assert ConnectionLimits.from_settings(Settings(), open_files=1 << 20).max_connections == 10_000
    chosen = Settings(request_timeout=2.5, max_connections=500, max_connections_per_client=0)
    assert ConnectionLimits.from_settings(chosen, open_files=1024) == ConnectionLimits(2.5, 500, 0)


def test_a_cap_the_open_file_limit_cannot_hold_is_refused() -> None:
    with pytest.raises(ValueError) as raised:
        ConnectionLimits.from_settings(Settings(max_connections=1000), open_files=1024)
    assert str(raised.value) == (
        "SWITCH_MAX_CONNECTIONS=1000 is more than this process's open-file limit of 1024 "
        "leaves for connections (768); raise the limit (ulimit -n) or lower the setting"
    )
    with pytest.raises(ValueError, match="an open-file limit of 64 leaves no room"):
        ConnectionLimits.from_settings(Settings(), open_files=64)


@pytest.mark.parametrize(
    ("peer", "counted_as"),
    [
        (("203.0.113.7", 5000), "203.0.113.7"),
        (("2001:db8:1:2:3:4:5:6", 5000, 0, 0), "2001:db8:1:2::/64"),
        (("::ffff:203.0.113.7", 5000, 0, 0), "203.0.113.7"),
        ("/run/switch.sock", ""),
        (None, ""),
    ],
)
def test_clients_are_counted_by_address_and_ipv6_by_its_64(peer: object, counted_as: str) -> None:
    assert client_address(peer) == counted_as
