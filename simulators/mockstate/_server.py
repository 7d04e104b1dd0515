"""Running a mock state: in this process until a signal (the CLI), or in a
background thread for the length of a `with` block (tests)."""

from __future__ import annotations

import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import uvicorn

from simulators.mockstate._app import create_app
from simulators.mockstate._control import MockStateControl
from simulators.mockstate._faults import Fault
from simulators.mockstate._records import RecordSet
from simulators.mockstate._service import MockState

# A query held by a `timeout` fault would keep a shutdown waiting for ever.
GRACEFUL_SHUTDOWN_SECONDS = 2


def listen(host: str, port: int) -> socket.socket:
    """A listening socket: clients can connect (and queue) from here on.
    Port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def registered_url(url: str, xml: bool) -> str:
    """The URL a hub is given for a mock state: `?form=xml` says it speaks XML
    (switch.destinations.http)."""
    return f"{url}?form=xml" if xml else url


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _server(service: MockState, log_level: str, xml: bool = False) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(service, xml=xml),
        log_level=log_level,
        access_log=log_level in ("debug", "trace"),
        lifespan="off",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    return uvicorn.Server(config)


def serve(
    service: MockState,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    announce: Callable[[str], None] | None = None,
    xml: bool = False,
) -> None:
    """Serve until SIGINT or SIGTERM, then return; `announce` gets the ready
    line, `mock state WA listening on http://127.0.0.1:N` (default: stderr).
    `xml`: speak Nlets XML; the URL announced then ends in `?form=xml`,
    which tells a hub given it in SWITCH_STATES to speak XML too."""
    sock = listen(host, port)
    line = f"mock state {service.state} listening on {registered_url(url_of(sock), xml)}"
    (announce or _to_stderr)(line)
    # uvicorn shuts down gracefully on a signal, then raises it again for the
    # handler it found: ours makes that a normal return (exit status 0).
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stopped) if in_main else None
    try:
        _server(service, log_level, xml).run(sockets=[sock])
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


class _Stopped(Exception):
    pass


def _stopped(signum: int, frame: object) -> None:
    raise _Stopped


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextmanager
def running_state(
    state: str,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    seed: int = 0,
    records: RecordSet | None = None,
    faults: Sequence[Fault] = (),
    generated: bool = True,
    start_timeout: float = 15.0,
    xml: bool = False,
) -> Iterator[tuple[str, MockStateControl]]:
    """A mock state served from a thread until the block ends; yields the
    URL a hub routes to (with `?form=xml` when it speaks `xml`) and a
    control client for its admin API."""
    service = MockState(state, seed=seed, records=records, faults=faults, generated=generated)
    sock = listen(host, port or 0)
    url = url_of(sock)
    server = _server(service, "warning", xml)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"mock-{state}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"mock state {state} did not start on {url}")
        time.sleep(0.01)
    control = MockStateControl(url)
    try:
        yield registered_url(url, xml), control
    finally:
        control.close()
        server.should_exit = True
        thread.join(timeout=GRACEFUL_SHUTDOWN_SECONDS + 10)
