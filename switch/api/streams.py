"""The hub's live streams (text/event-stream) end when the hub starts to stop.

A live stream never ends by itself. uvicorn, stopping, waits for open
responses up to its graceful timeout, then cancels them, logging `Cancel N
running task(s), timeout graceful shutdown exceeded` and a traceback for
each (N is 0 when the watcher happens to hang up as the timeout falls). So
the server (switch.server) closes the hub's streams as its shutdown begins,
and each ends at once, as a finished response.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from fastapi import Request

T = TypeVar("T")


class StreamsClosed(Exception):
    """Raised to a stream waiting for its next item once the hub is stopping."""


class LiveStreams:
    """The off switch of every stream a run of the app serves. Made at
    start-up, so it belongs to the event loop that serves the streams."""

    def __init__(self) -> None:
        self._closed = False
        self._closing: asyncio.Future[None] | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """End every stream now waiting, and refuse to wait from now on.
        Called on the event loop that serves the streams."""
        self._closed = True
        if self._closing is not None and not self._closing.done():
            self._closing.set_result(None)

    async def get(self, queue: asyncio.Queue[T], timeout: float) -> T | None:
        """The next item of `queue`, or None after `timeout` seconds with
        none; StreamsClosed once the hub is stopping."""
        if self._closed:
            raise StreamsClosed
        if not queue.empty():
            return queue.get_nowait()
        if self._closing is None:
            self._closing = asyncio.get_running_loop().create_future()
        getter = asyncio.ensure_future(queue.get())
        either: set[asyncio.Future[Any]] = {getter, self._closing}
        try:
            await asyncio.wait(either, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # No await here: under a cancelled scope it would be cancelled
            # again. A cancelled Queue.get leaves its item in the queue.
            if not getter.done():
                getter.cancel()
        if getter.done() and not getter.cancelled():
            return getter.result()
        if self._closed:
            raise StreamsClosed
        return None


def live_streams(request: Request) -> LiveStreams:
    streams: LiveStreams = request.app.state.streams
    return streams


def close_streams(app: Any) -> None:
    """End the live streams of `app` if it is the hub's (one made by
    switch.api.app.create_app, started), else nothing."""
    streams = getattr(getattr(app, "state", None), "streams", None)
    if isinstance(streams, LiveStreams):
        streams.close()
