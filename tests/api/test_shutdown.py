"""A hub that stops with live streams open ends them itself, before
uvicorn's graceful timeout: uvicorn logs no `Cancel N running task(s),
timeout graceful shutdown exceeded` and no traceback, and each watcher sees
its stream end as a finished response."""

from __future__ import annotations

import logging
import threading

import httpx

from switch.access.keys import issue_key
from switch.serving.server import running_hub
from switch.settings import Settings
from tests.utils.hubs import Runtimes


class Lines(logging.Handler):
    """Log records as the lines a log file would hold, tracebacks included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.extend(self.format(record).splitlines())


class Watcher:
    """A client reading a live stream in a thread until the stream ends."""

    def __init__(self, url: str, key: str) -> None:
        self.url, self.key = url, key
        self.connected = threading.Event()
        self.ended: str | None = None
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        try:
            headers = {"Authorization": f"Bearer {self.key}"}
            with httpx.stream("GET", self.url, headers=headers, timeout=30) as reply:
                for line in reply.iter_lines():
                    if line.startswith(": connected"):
                        self.connected.set()
            self.ended = "finished"
        except httpx.HTTPError as exc:
            self.ended = type(exc).__name__


def test_a_hub_stopping_ends_its_live_streams_before_uvicorn_cancels_them(
    sqlite_url: str,
) -> None:
    runtimes = Runtimes(Settings(database_url=sqlite_url))

    log = Lines()
    uvicorn_log = logging.getLogger("uvicorn.error")
    try:
        with running_hub(runtimes) as url:
            # Only now: uvicorn's logging set-up drops the handlers it finds.
            uvicorn_log.addHandler(log)
            engine = runtimes.first.engine
            watchers = [
                Watcher(f"{url}/v1/events", issue_key(engine, admin_scope="*")),
                Watcher(f"{url}/v1/mailbox/stream", issue_key(engine, ori="NY0303000")),
            ]
            for watcher in watchers:
                assert watcher.connected.wait(10)
    finally:
        uvicorn_log.removeHandler(log)
    assert log.lines == []
    for watcher in watchers:
        watcher.thread.join(10)
    assert [watcher.ended for watcher in watchers] == ["finished", "finished"]
