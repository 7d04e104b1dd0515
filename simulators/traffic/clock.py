"""The generator's clock: the real one, and a virtual one for tests.

The generator only asks `now()` and `sleep_until(t)`; the virtual clock
jumps straight to `t`, waking in order whoever `sleep`s on it, so a test can
run a minute of traffic, responses slower than the arrival interval and all,
in no wall time at all.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep_until(self, deadline: float) -> None: ...


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()

    async def sleep_until(self, deadline: float) -> None:
        # sleep(0) when late still yields, so answers get read between sends.
        await asyncio.sleep(max(0.0, deadline - time.monotonic()))


class VirtualClock:
    """Time that moves only when someone sleeps until a later moment."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of virtual time: until someone's `sleep_until` passes it."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self._now + seconds, next(self._order), future))
        await future

    async def sleep_until(self, deadline: float) -> None:
        await asyncio.sleep(0)  # tasks created since the last step register their timers
        while self._timers and self._timers[0][0] <= deadline:
            due, _, future = heapq.heappop(self._timers)
            self._now = max(self._now, due)
            if not future.done():
                future.set_result(None)
            await asyncio.sleep(0)  # the sleeper runs at its moment, before time moves on
        self._now = max(self._now, deadline)
