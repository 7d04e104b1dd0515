"""Polling with bounded deadlines: no test sleeps a fixed time and hopes.

A hub in another process, a background thread or a state process offers
nothing to await, so a bounded poll is the event there. The deadline only
bounds the wait; it is never the thing asserted."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def until(
    probe: Callable[[], T],
    done: Callable[[T], bool] = bool,
    seconds: float = 10.0,
    interval: float = 0.02,
) -> T:
    """Call `probe` until `done` holds for what it gives, or `seconds` pass;
    the last value either way, for the caller to assert on."""
    deadline = time.monotonic() + seconds
    value = probe()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(interval)
        value = probe()
    return value
