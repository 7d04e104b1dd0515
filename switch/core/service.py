"""What the router asks of a state's service status: the marks an admin set,
and whether queries are still kept for it.

Both are owned by the forwarding layer above (switch.forwarding.marks and
switch.forwarding.backlog), which keeps them in step with the database; the
router and the hub see them only through these protocols. The null forms
serve a router with nothing marked and nothing kept (tests, tools).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

Mark = tuple[str, str]  # (state, message key)


class ServiceView(Protocol):
    def is_out(self, state: str, key: str) -> bool:
        """Out of service (.02.): queries are kept and forwarded later."""
        ...

    def is_removed(self, state: str, key: str) -> bool:
        """On remove status (.04.): nothing is kept; the sender sends again."""
        ...


class BacklogView(Protocol):
    def holds(self, state: str, key: str) -> bool:
        """Whether queries for (state, key) are still queued for forwarding."""
        ...

    def add(self, marks: Iterable[Mark]) -> None:
        """Queries for these were just queued (and committed)."""
        ...

    async def drained(self, state: str, key: str, wait: float) -> bool:
        """Send what is kept for (state, key) ahead of a new query; True when,
        within `wait` seconds, nothing of it is left kept."""
        ...


class Unmarked:
    """No state is marked."""

    def is_out(self, state: str, key: str) -> bool:
        return False

    def is_removed(self, state: str, key: str) -> bool:
        return False


class NoBacklog:
    """Nothing is kept, and nothing forwards: a router that queues nothing."""

    def holds(self, state: str, key: str) -> bool:
        return False

    def add(self, marks: Iterable[Mark]) -> None:
        return None

    async def drained(self, state: str, key: str, wait: float) -> bool:
        return True
