"""The hub's connections, guarded below HTTP: a deadline on every request
and caps on open connections, overall and per client address.

uvicorn reads a request's headers for as long as the client takes to send
them, and accepts connections until the process runs out of open files, so
a thousand clients trickling headers ("slowloris") hold every file the hub
may open and no one else is served. Its `limit_concurrency` does not help:
it answers 503 only once a request's headers are whole, which a slow client
never sends. This protocol, uvicorn's httptools one with a guard, acts from
the moment a connection is accepted:

- a request, headers and body, must arrive whole within
  `SWITCH_REQUEST_TIMEOUT` seconds of the connection opening or of the last
  response ending; else it is answered 408 and closed;
- one client address (an IPv6 client: its /64) holds at most
  `SWITCH_MAX_CONNECTIONS_PER_CLIENT` connections; one more is answered 503
  at once and closed;
- the hub holds at most `SWITCH_MAX_CONNECTIONS` (by default three
  quarters of its open-file limit: the rest is for its database, files and
  states). At the cap a new connection takes the place of the one that has
  waited longest for a request (a slow client or an idle one, which is
  answered 503 and closed); only when every connection is busy with a
  request is the new one refused with a 503.

A connection's life::

    accepted --(over a cap)--> 503, closed
       |
       v
    waiting --(request whole)--> busy --(response sent)--> waiting
       |    \\
       |     `--(deadline)--> 408, closed
       `--(displaced at the overall cap)--> 503, closed

Every drop is counted in `switch_connections_dropped` at /metrics, by
reason; none is audited, as no request came whole.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import resource
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from prometheus_client import Counter as Metric
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from switch.errors import SwitchError
from switch.metrics import REGISTRY
from switch.settings import Settings

# Files left to the hub itself when the cap is derived: its database, the
# files it reads, connections to states over HTTP.
RESERVED_SHARE = 4  # a quarter
MIN_RESERVED = 64
# The derived cap never goes above this, whatever the open-file limit.
DEFAULT_CEILING = 10_000
# How long a refused client is given to read its answer before it is closed:
# closing with its request unread would reset the connection and lose it.
# At most one connection in LINGER_SHARE of the cap lingers so; past that
# they are closed at once, so that refusals cannot run the hub out of files.
LINGER_SECONDS = 0.5
LINGER_SHARE = 8

BUSY = {
    "client_cap": "too many connections from this address; retry later",
    "server_cap": "the hub is at its connection limit; retry later",
}

DROPPED = Metric(
    "switch_connections_dropped",
    "Connections the hub closed unserved: request_timeout, client_cap, server_cap, displaced.",
    ["reason"],
    registry=REGISTRY,
)


class RequestTimeout(SwitchError):
    """A request not whole within the deadline: HTTP 408, then closed."""

    http_status = 408
    code = "REQUEST_TIMEOUT"


class ServerBusy(SwitchError):
    """Over a connection cap: HTTP 503, then closed."""

    http_status = 503
    code = "SERVER_BUSY"


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    request_timeout: float
    max_connections: int
    max_per_client: int  # 0: no cap per address

    @classmethod
    def from_settings(cls, settings: Settings, open_files: int | None = None) -> ConnectionLimits:
        """The limits the settings ask for; ValueError when the process's
        open-file limit cannot hold them."""
        files = open_file_limit() if open_files is None else open_files
        room = files - max(MIN_RESERVED, files // RESERVED_SHARE)
        if room < 1:
            raise ValueError(f"an open-file limit of {files} leaves no room for connections")
        wanted = settings.max_connections
        if wanted > room:
            raise ValueError(
                f"SWITCH_MAX_CONNECTIONS={wanted} is more than this process's open-file limit "
                f"of {files} leaves for connections ({room}); raise the limit (ulimit -n) or "
                "lower the setting"
            )
        return cls(
            request_timeout=settings.request_timeout,
            max_connections=wanted or min(room, DEFAULT_CEILING),
            max_per_client=settings.max_connections_per_client,
        )


def open_file_limit() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 1 << 20 if soft == resource.RLIM_INFINITY else soft


def client_address(peer: Any) -> str:
    """The address a client's connections are counted under: its IP, an
    IPv6 one by its /64 (one host's usual share), IPv4 in IPv6 as IPv4."""
    if not isinstance(peer, tuple) or not peer:
        return ""  # a Unix socket: one local client
    try:
        ip = ipaddress.ip_address(peer[0])
    except ValueError:
        return str(peer[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


C = TypeVar("C")


class Verdict(NamedTuple, Generic[C]):
    refused: str | None  # client_cap | server_cap, or None: admitted
    displaced: C | None  # the waiting connection whose place it took


class ConnectionGate(Generic[C]):
    """Counts the open connections, overall and by client address, and
    knows which are waiting for a request, longest first. Used from the
    event loop's thread only.

    INVARIANT: at most `max_connections` are admitted at once, and at most
    `max_per_client` from one address when that is not 0."""

    def __init__(self, max_connections: int, max_per_client: int) -> None:
        self.max_connections = max_connections
        self.max_per_client = max_per_client
        self._client: dict[C, str] = {}
        self._per_client: Counter[str] = Counter()
        # Insertion order is the order they began waiting.
        self._waiting: dict[C, None] = {}
        self.max_lingering = max(8, max_connections // LINGER_SHARE)
        self._lingering = 0  # answered and half-closed, not yet gone

    def __len__(self) -> int:
        return len(self._client)

    def from_client(self, client: str) -> int:
        return self._per_client[client]

    def admit(self, connection: C, client: str) -> Verdict[C]:
        if self.max_per_client and self._per_client[client] >= self.max_per_client:
            return Verdict("client_cap", None)
        displaced = None
        if len(self._client) >= self.max_connections:
            if not self._waiting:
                return Verdict("server_cap", None)
            displaced = next(iter(self._waiting))
            self.release(displaced)
        self._client[connection] = client
        self._per_client[client] += 1
        self._waiting[connection] = None
        return Verdict(None, displaced)

    def release(self, connection: C) -> None:
        client = self._client.pop(connection, None)
        if client is None:
            return
        self._waiting.pop(connection, None)
        self._per_client[client] -= 1
        if not self._per_client[client]:
            del self._per_client[client]

    def waiting(self, connection: C) -> None:
        if connection in self._client and connection not in self._waiting:
            self._waiting[connection] = None

    def busy(self, connection: C) -> None:
        self._waiting.pop(connection, None)

    @property
    def lingering(self) -> int:
        return self._lingering

    def linger(self) -> bool:
        """Whether one more answered connection may linger to be read."""
        if self._lingering >= self.max_lingering:
            return False
        self._lingering += 1
        return True

    def lingered(self) -> None:
        self._lingering -= 1


def answer(err: SwitchError) -> bytes:
    """A whole HTTP response for `err`, written below the app, with the
    error JSON every route answers."""
    body = json.dumps({"error": {"code": err.code, "message": err.message}}).encode()
    head = [
        f"HTTP/1.1 {err.http_status} {HTTPStatus(err.http_status).phrase}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        "connection: close",
    ]
    if err.http_status == 503:
        head.append("retry-after: 1")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with the guard in the module docstring.
    A subclass made by `guarded_protocol` carries the limits and the gate."""

    limits: ClassVar[ConnectionLimits]
    gate: ClassVar[ConnectionGate[GuardedHttpProtocol]]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._admitted = False
        # Answered below the app and closing: what the client sends is dropped.
        self._ending = False
        self._begun = False  # bytes of a request since the last response
        self._deadline: asyncio.TimerHandle | None = None
        self._linger: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        verdict = self.gate.admit(self, client_address(transport.get_extra_info("peername")))
        if verdict.refused is not None:
            self.transport = transport
            self._end(ServerBusy(BUSY[verdict.refused]), verdict.refused)
            return
        if verdict.displaced is not None:
            verdict.displaced.displace()
        self._admitted = True
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._linger is not None:
            self._linger.cancel()
            self.gate.lingered()
        self.gate.release(self)
        if self._admitted:
            super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._ending:
            super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._begun = True
        self._arm()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._begun = False
        # The next request's time starts now; a pipelined one began already.
        if not self.transport.is_closing() and not self.pipeline:
            self._arm()

    def handle_websocket_upgrade(self) -> None:
        # The connection is another protocol's from here on.
        self._disarm()
        self.gate.release(self)
        super().handle_websocket_upgrade()

    def displace(self) -> None:
        """Make room for a newcomer at the overall cap."""
        self._end(ServerBusy(BUSY["server_cap"]), "displaced")

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.limits.request_timeout, self._expired)
            self.gate.waiting(self)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.gate.busy(self)

    def _expired(self) -> None:
        self._deadline = None
        seconds = f"{self.limits.request_timeout:g}"
        err = RequestTimeout(f"the request did not arrive whole within {seconds} s")
        self._end(err, "request_timeout")

    def _end(self, err: SwitchError, reason: str) -> None:
        """Answer `err` (unless a response is under way or no request has
        begun on a kept-alive connection), then close."""
        if self._ending or self.transport.is_closing():
            return
        self._ending = True
        self._disarm()
        DROPPED.labels(reason).inc()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # The route reading this request sees a hang-up and answers no one.
            cycle.disconnected = True
            cycle.message_event.set()
        under_way = cycle is not None and cycle.response_started and not cycle.response_complete
        if (not self._admitted or self._begun) and not under_way:
            self.transport.write(answer(err))
        if self.transport.can_write_eof() and self.gate.linger():
            # Half-closed: the client reads the answer, sees the end, hangs up.
            self.transport.write_eof()
            self._linger = self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()


def guarded_protocol(limits: ConnectionLimits) -> type[GuardedHttpProtocol]:
    """The protocol class for one server (`uvicorn.Config(http=...)`), with a
    gate of its own."""

    class Guarded(GuardedHttpProtocol):
        pass

    Guarded.limits = limits
    Guarded.gate = ConnectionGate(limits.max_connections, limits.max_per_client)
    return Guarded
