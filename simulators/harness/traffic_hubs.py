"""The hub a traffic run drives, and the agency keys it sends with.

Either a hub already running (`--hub URL`), with keys from a file or issued
in its database, or a hub of our own on a temporary SQLite database, with
keys issued there for every ORI the profile uses.
"""

from __future__ import annotations

import json
import multiprocessing
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

from switch.access.keys import issue_keys
from switch.app.runtime import Runtime
from switch.client import SwitchClient, SwitchClientError
from switch.db.database import open_engine
from switch.db.database_url import driver_reason, missing_sqlite_file, shown
from switch.serving.server import running_hub
from switch.settings import Settings


class HubSetupError(Exception):
    """The run cannot start: no hub, no keys."""


def load_keys(path: Path) -> dict[str, str]:
    """A JSON object `{ORI: agency key}`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HubSetupError(f"cannot read keys from {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise HubSetupError(f"{path}: keys must be a JSON object of ORI to key")
    return {ori.upper(): key for ori, key in data.items()}


def issue_keys_in(database_url: str, oris: list[str]) -> dict[str, str]:
    """Keys for `oris` in a hub's own database; the hub finds them on first use.
    A database URL that opens nothing raises DatabaseURLError."""
    missing = missing_sqlite_file(database_url)
    if missing is not None:  # opening it would make an empty one no hub reads
        raise HubSetupError(f"no hub database at {missing}")
    engine = open_engine(database_url)
    try:
        return dict(zip(oris, issue_keys(engine, oris), strict=True))
    except Exception as exc:
        where = shown(database_url)
        raise HubSetupError(f"cannot issue keys in {where}: {driver_reason(exc)}") from exc
    finally:
        engine.dispose()


@contextmanager
def local_hub(
    oris: list[str], *, same_process: bool = False, start_timeout: float = 60.0
) -> Iterator[tuple[str, dict[str, str]]]:
    """A hub of our own on a temporary SQLite database, with built-in DMVs
    (unless `SWITCH_STATES` says otherwise): its URL and a key per ORI.

    It runs in a child process by default: a hub in a thread of this process
    would share the interpreter lock with the generator, and every
    millisecond the hub spent would show as lateness of the sends.
    """
    with tempfile.TemporaryDirectory(prefix="switch-traffic-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'hub.db'}"
        hub = _thread_hub if same_process else _child_hub
        with hub(database_url, start_timeout) as url:
            yield url, issue_keys_in(database_url, oris)


@contextmanager
def _thread_hub(database_url: str, start_timeout: float) -> Iterator[str]:
    settings = Settings(database_url=database_url)
    with running_hub(lambda: Runtime(settings), start_timeout=start_timeout) as url:
        yield url


def _serve(database_url: str, start_timeout: float, report: Connection, stop: EventType) -> None:
    """The child process: serve until the parent sets `stop`."""
    try:
        with _thread_hub(database_url, start_timeout) as url:
            report.send(url)
            stop.wait()
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent reports
        pass


@contextmanager
def _child_hub(database_url: str, start_timeout: float) -> Iterator[str]:
    context = multiprocessing.get_context("spawn")
    receive, report = context.Pipe(duplex=False)
    stop = context.Event()
    child = context.Process(
        target=_serve,
        args=(database_url, start_timeout, report, stop),
        name="switch-hub",
        daemon=True,
    )
    child.start()
    report.close()  # the child holds its own end
    try:
        deadline = time.monotonic() + start_timeout
        while not receive.poll(0.1):
            if not child.is_alive() or time.monotonic() > deadline:
                raise HubSetupError(f"the hub did not start (exit code {child.exitcode})")
        try:
            url: str = receive.recv()
        except EOFError as exc:  # it died before it could say where it serves
            child.join(timeout=5)
            raise HubSetupError(f"the hub did not start (exit code {child.exitcode})") from exc
        yield url
    finally:
        stop.set()
        child.join(timeout=20)
        if child.is_alive():
            child.terminate()
            child.join()


def wait_until_warm(url: str, timeout: float = 60.0) -> bool:
    """Wait for the hub's built-in DMVs to index their names, so the first
    name queries do not measure the indexing. False if it never said so."""
    deadline = time.monotonic() + timeout
    with SwitchClient(url, "", timeout=5.0) as client:
        while True:
            try:
                warm = bool(client.health().get("warm", True))
            except SwitchClientError as exc:
                raise HubSetupError(f"no hub answering at {url}: {exc}") from exc
            if warm:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
