"""`switch serve`: run the hub over HTTP."""

from __future__ import annotations

import errno
import socket

import typer

from switch.app.runtime import find_policies
from switch.audit import signing
from switch.audit.signed_checkpoints import CheckpointLog
from switch.cli.common import err_console, fail, open_database
from switch.db.locations import audit_key_path, checkpoint_path
from switch.errors import SwitchError
from switch.policy.store import NoPolicies
from switch.settings import Settings

# The --log-level values at which uvicorn prints its start-up lines.
_SAYS_INFO = frozenset({"trace", "debug", "info"})


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    log_level: str = typer.Option("info", help="uvicorn log level."),
) -> None:
    """Run the hub: the HTTP API, OpenAPI docs at /docs, metrics at /metrics.

    Settings come from SWITCH_DATABASE_URL, SWITCH_POLICIES, SWITCH_DIRECTORY
    and SWITCH_STATES; slow and greedy clients are held off by
    SWITCH_REQUEST_TIMEOUT, SWITCH_MAX_CONNECTIONS and
    SWITCH_MAX_CONNECTIONS_PER_CLIENT.
    """
    _refuse_taken(host, port)
    # No policy anywhere: refused here in one line, before any file is made
    # (a hub would permit every query).
    try:
        location = find_policies(Settings())
    except NoPolicies as exc:
        fail(exc.message)
    # A database that cannot be opened fails here in one line, not as the
    # traceback uvicorn prints for a failed start-up.
    open_database(Settings().database_url).dispose()
    _refuse_unusable_audit_files()
    # Loaded here so light verbs (keys, agencies) start fast.
    from simulators.harness import HubScenarioRunner
    from switch.serving.connections import ConnectionLimits
    from switch.serving.server import serve as serve_hub

    try:
        limits = ConnectionLimits.from_settings(Settings())
    except ValueError as exc:
        fail(str(exc))
    # Only once every check has passed: a refusal stays the one line on stderr.
    if log_level.lower() in _SAYS_INFO:  # as uvicorn's own start-up lines
        err_console.print(f"policies: {location}", highlight=False)
    serve_hub(
        host=host,
        port=port,
        log_level=log_level,
        limits=limits,
        scenario_runner=HubScenarioRunner,
    )


def _refuse_unusable_audit_files() -> None:
    """The hub would refuse an audit key or checkpoint file it cannot use at
    start-up, in a traceback from uvicorn: say it in one line."""
    settings = Settings()
    try:
        signing.load_or_create(audit_key_path(settings))
        CheckpointLog(checkpoint_path(settings)).ensure_writable()
    except SwitchError as exc:
        fail(exc.message)


def _refuse_taken(host: str, port: int) -> None:
    """uvicorn reports a taken port as log lines after start-up; say it in one."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            fail(f"cannot listen on {host}:{port}: {reason}")
