"""A client of a live stream (text/event-stream), reading it in a thread:
the events it carried, the `end` event that closed it, and whether it has
ended. Every wait is bounded."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx

# Long enough for a loaded machine; a stream that should end does so in seconds.
DEADLINE = 10.0


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


class StreamWatcher:
    """Opens `url` (with `headers` and `params`) and reads it until it ends."""

    def __init__(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> None:
        self.url, self.headers, self.params = url, headers, params
        self.status: int | None = None
        self.events: list[dict[str, Any]] = []
        self.ended_because: str | None = None
        self.finished = False
        self.connected = threading.Event()
        self._changed = threading.Condition()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        kind = "message"
        try:
            with httpx.stream(
                "GET", self.url, headers=self.headers, params=self.params, timeout=30
            ) as reply:
                self.status = reply.status_code
                for line in reply.iter_lines():
                    if line.startswith(": connected"):
                        self.connected.set()
                    elif line.startswith("event: "):
                        kind = line[len("event: ") :]
                    elif line.startswith("data: "):
                        data = json.loads(line[len("data: ") :])
                        with self._changed:
                            if kind == "end":
                                self.ended_because = data["reason"]
                            else:
                                self.events.append(data)
                            self._changed.notify_all()
            self.finished = True
        finally:
            self.connected.set()  # a refused stream never connects: wake the waiter
            with self._changed:
                self._changed.notify_all()

    def wait_for(self, count: int) -> list[dict[str, Any]]:
        """The first `count` events, once they have come."""
        with self._changed:
            came = self._changed.wait_for(
                lambda: len(self.events) >= count or not self.thread.is_alive(), DEADLINE
            )
        assert came and len(self.events) >= count, self.events
        return self.events[:count]

    def join(self) -> bool:
        """True if the stream ended (as a finished response) before the deadline."""
        self.thread.join(DEADLINE)
        return not self.thread.is_alive() and self.finished
