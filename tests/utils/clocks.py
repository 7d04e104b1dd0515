"""A fake clock for the key ring and live streams: a monotonic reading the
test moves by hand, and the wall time that goes with it."""

from __future__ import annotations

import time


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.epoch = time.time()

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.epoch + self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
