"""Best-of-N timing, with the paths interleaved round by round.

These machines are noisy: a burst of load that lands on one path's runs
would skew a ratio. Running every path once per round spreads the noise over
all of them, and the best of the rounds is the figure least touched by it.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    best_ns: int
    count: int

    @property
    def us(self) -> float:
        return self.best_ns / self.count / 1000

    @property
    def per_s(self) -> float:
        return self.count * 1e9 / self.best_ns

    def ratio(self, baseline: Timing) -> float:
        """How many times longer this path takes than `baseline` per decision."""
        return (self.best_ns / self.count) / (baseline.best_ns / baseline.count)


@dataclass(frozen=True, slots=True)
class Path:
    name: str
    run: Callable[[], list[Any]]


def best_of(
    paths: Sequence[Path], count: int, repeats: int
) -> tuple[list[Timing], list[list[Any]]]:
    """Each path's fastest run, and the results of its last run (for checking).

    The collector is off while a path runs, as `timeit` does.
    """
    best: list[int | None] = [None] * len(paths)
    results: list[list[Any]] = [[] for _ in paths]
    for _ in range(repeats):
        for i, path in enumerate(paths):
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter_ns()
                results[i] = path.run()
                elapsed = time.perf_counter_ns() - start
            finally:
                gc.enable()
            if len(results[i]) != count:
                raise RuntimeError(f"{path.name} decided {len(results[i])} of {count} requests")
            previous = best[i]
            best[i] = elapsed if previous is None else min(previous, elapsed)
    timings = [Timing(p.name, ns or 1, count) for p, ns in zip(paths, best, strict=True)]
    return timings, results
