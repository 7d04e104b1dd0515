"""A real hub on a real port: in a background thread for the demo, the CLI
and tests that must talk HTTP to it, or in this one for `switch serve`."""

from __future__ import annotations

import errno
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial

import uvicorn
from fastapi import FastAPI

from switch.api.app import ScenarioRunnerFactory, create_app
from switch.api.streams import close_streams
from switch.app.runtime import Runtime
from switch.serving.access_log import log_config
from switch.serving.connections import ConnectionLimits, guarded_protocol
from switch.settings import Settings

# How long requests still running at shutdown may finish. Live streams do
# not count: the hub ends them itself as shutdown begins.
GRACE_SECONDS = 3
# uvicorn's exit status when the app does not start.
STARTUP_FAILURE = 3


class HubStartError(RuntimeError):
    """The hub cannot serve: its port is taken, or it failed while starting."""


class HubServer(uvicorn.Server):
    """uvicorn's server, which ends the hub's live streams as its shutdown
    begins: uvicorn would otherwise wait its graceful timeout for them, then
    cancel them with an error line and a traceback each."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        close_streams(self.config.app)
        await super().shutdown(sockets)


def _config(
    app: FastAPI, host: str, port: int, log_level: str, limits: ConnectionLimits
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="on",
        timeout_graceful_shutdown=GRACE_SECONDS,
        # Request deadlines and connection caps (switch.serving.connections).
        http=guarded_protocol(limits),
        # No secret in a log line, whatever a client put in its URL.
        log_config=log_config(),
    )


def serve(
    *,
    host: str,
    port: int,
    log_level: str,
    limits: ConnectionLimits,
    scenario_runner: ScenarioRunnerFactory | None = None,
) -> None:
    """Serve the hub in this thread until a signal (`switch serve`)."""
    app = create_app(partial(Runtime, port=port), scenario_runner=scenario_runner)
    server = HubServer(_config(app, host, port, log_level, limits))
    with suppress(KeyboardInterrupt):  # uvicorn has shut down by then
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_hub(
    runtime_factory: Callable[[], Runtime] = Runtime,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    start_timeout: float = 15.0,
    limits: ConnectionLimits | None = None,
    scenario_runner: ScenarioRunnerFactory | None = None,
) -> Iterator[str]:
    """Serve the hub until the block ends; yields its base URL. `limits`:
    those the SWITCH_* settings ask for when not given; `scenario_runner`:
    what plays scenarios in it (none: it plays none)."""
    try:
        limits = limits or ConnectionLimits.from_settings(Settings())
    except ValueError as exc:
        raise HubStartError(str(exc)) from None
    # The socket is bound here, before uvicorn starts, so that a taken port is
    # one plain reason for the caller rather than a log line and a timeout.
    listener = _bind(host, port or 0)
    port = listener.getsockname()[1]
    app = create_app(runtime_factory, scenario_runner=scenario_runner)
    server = HubServer(_config(app, host, port, "warning", limits))
    thread = threading.Thread(target=server.run, args=([listener],), name="hub", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=GRACE_SECONDS)
            listener.close()
            raise HubStartError(f"the hub did not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()


def _bind(host: str, port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    # As uvicorn does: a port left in TIME_WAIT by the last run is free again.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise HubStartError(f"port {port} on {host} is in use") from None
        raise HubStartError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return listener
