"""What time it is, behind a protocol so tests can hold the clock still.

Everything on the message path that stamps a time (the router's outputs, the
hub's intake, the audit's mailbox items, the forwarder's queue) reads it from
a `Clock` it was given; `utc_now` is the system's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Wall-clock time in UTC, timezone-aware."""

    def __call__(self) -> datetime: ...


def utc_now() -> datetime:
    """The system clock."""
    return datetime.now(UTC)
