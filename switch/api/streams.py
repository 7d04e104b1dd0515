"""The lifetime of the hub's live streams (text/event-stream): a stream ends
when its key stops working, and when the hub starts to stop.

An open stream asks again about the key it was opened with every
`KEY_CHECK_SECONDS`, and before each item it hands over. The key ring
(switch.access.keys) refuses a key from the instant it expires, and one revoked by
any process within its recheck interval, so a stream ends within about
KEY_CHECK_SECONDS + 2 * RECHECK_SECONDS (3 s) of its key's revocation or
expiry, with a last `end` event saying why.

A live stream never ends by itself otherwise. uvicorn, stopping, waits for
open responses up to its graceful timeout, then cancels them, logging
`Cancel N running task(s), timeout graceful shutdown exceeded` and a
traceback for each (N is 0 when the watcher happens to hang up as the
timeout falls). So the server (switch.serving.server) closes the hub's streams as
its shutdown begins, and each ends at once, as a finished response.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Request
from fastapi.sse import ServerSentEvent
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError

from switch.access.keys import Identity, KeyRing
from switch.errors import AuthError

T = TypeVar("T")

KEY_CHECK_SECONDS = 1.0


class StreamsClosed(Exception):
    """Raised to a stream waiting for its next item once the hub is stopping."""


class StreamEnd(BaseModel):
    """The data of a stream's last event, `end`."""

    reason: str


class KeyWithdrawn(Exception):
    """Raised to a stream whose key was revoked or expired after it opened."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def event(self) -> ServerSentEvent:
        """The stream's last event: why it ends, so a client does not
        reconnect with a key that no longer works."""
        # A dict, not the model: framed with json.dumps, as the README shows it.
        return ServerSentEvent(event="end", data=StreamEnd(reason=self.reason).model_dump())


@dataclass(frozen=True, slots=True)
class StreamKey:
    """The key a stream was opened with, held by its digest, not its secret."""

    identity: Identity
    key_hash: str
    keys: KeyRing

    def check(self) -> None:
        """KeyWithdrawn unless the key still works."""
        try:
            self.keys.resolve_digest(self.key_hash)
        except AuthError as exc:
            raise KeyWithdrawn(exc.message) from None
        except DBAPIError:
            # The ring asks the database only about a key it no longer holds
            # good (revoked, expired): unanswered, the stream fails closed.
            raise KeyWithdrawn(
                "the key could not be checked: the database did not answer"
            ) from None


@dataclass(slots=True)
class _Got(Generic[T]):
    item: T


class LiveStreams:
    """The off switch of every stream a run of the app serves. Made at
    start-up, so it belongs to the event loop that serves the streams."""

    def __init__(self, key_check_seconds: float = KEY_CHECK_SECONDS) -> None:
        self.key_check_seconds = key_check_seconds
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

    async def get(self, queue: asyncio.Queue[T], timeout: float, key: StreamKey) -> T | None:
        """The next item of `queue`, or None after `timeout` seconds with
        none; StreamsClosed once the hub is stopping, KeyWithdrawn once
        `key` no longer works. No item is handed over unless the key works
        at that moment."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        got: _Got[T] | None = None
        while True:
            if self._closed:
                raise StreamsClosed
            key.check()
            if got is not None:
                return got.item
            if not queue.empty():
                return queue.get_nowait()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            got = await self._wait(queue, min(remaining, self.key_check_seconds))

    async def _wait(self, queue: asyncio.Queue[T], timeout: float) -> _Got[T] | None:
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
            return _Got(getter.result())
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
