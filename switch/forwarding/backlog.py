"""Which (state, message key) still have queries queued for forwarding: a
new query for one waits behind them, so a state that returns sees its
queries in the order they came.

The forward_queue table is the truth; this is its copy in memory. The hub
adds to it as it queues (`add`); the forwarder, which works the queues,
keeps it as the table is (`refresh`) and sends what is kept ahead of a new
query (`drained`). A read that raced an addition keeps the addition.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from switch.core.service import Mark

# Sends what is kept for (state, key) now; True when nothing of it is left.
Drain = Callable[[str, str], Awaitable[bool]]


class Backlog:
    def __init__(self) -> None:
        self._kept: set[Mark] = set()
        self._added = 0  # bumped on each addition (see `refresh`)
        self._drain: Drain | None = None

    def holds(self, state: str, key: str) -> bool:
        return (state, key) in self._kept

    def states(self) -> set[str]:
        return {state for state, _ in self._kept}

    def add(self, marks: Iterable[Mark]) -> None:
        self._kept.update(marks)
        self._added += 1

    @property
    def additions(self) -> int:
        """Read before reading the queue, and given back to `refresh`."""
        return self._added

    def refresh(self, queued: set[Mark], seen: int, state: str | None = None) -> None:
        """Take what is queued (of `state`, or of all) as the table has it;
        if something was added since `seen`, only add to what is kept."""
        if self._added != seen:
            self._kept |= queued
        elif state is None:
            self._kept = queued
        else:
            self._kept = {m for m in self._kept if m[0] != state} | queued

    def drained_by(self, drain: Drain) -> None:
        """The forwarder that works this backlog's queues, at its construction.
        INVARIANT: one forwarder drains a backlog."""
        if self._drain is not None:
            raise RuntimeError("this backlog already has its forwarder")
        self._drain = drain

    async def drained(self, state: str, key: str, wait: float) -> bool:
        """Whether the kept queries of (state, key) went first, within `wait`."""
        if self._drain is None:
            return False
        try:
            return await asyncio.wait_for(self._drain(state, key), timeout=wait)
        except TimeoutError:
            return False
