"""How far long work has got, on standard error: a bar on a terminal, a
line every few seconds anywhere else.

rich draws no bar on a console that is not a terminal, so a verb whose
standard error goes to a pipe or a log would sit silent for half a minute.
There `ProgressLines` prints one line each `INTERVAL` seconds instead:

    verify: 120,000/2,001,000 rows, 40,100 rows/s, ETA 47 s

The rate is the average since the work began (steadier than the last few
seconds' when work arrives in batches), and the ETA is what is left at that
rate. A line comes at the first report after each interval has passed, so
work that ends sooner prints none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeRemainingColumn

Clock = Callable[[], float]
Report = Callable[[int, int], None]  # (done, total)

INTERVAL = 5.0  # seconds between two progress lines
# The clock `shown` reads when it is given none; the CLI's tests put a fake here.
CLOCK: Clock = time.monotonic


def duration(seconds: float) -> str:
    """`47 s`, `2 min 5 s`, `1 h 3 min`."""
    whole = max(round(seconds), 0)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def progress_line(label: str, done: int, total: int, elapsed: float, unit: str = "rows") -> str:
    """One progress line: done of total, the average rate, the time left at it."""
    rate = done / elapsed if elapsed > 0 else 0.0
    line = f"{label}: {done:,}/{total:,} {unit}, {rate:,.0f} {unit}/s"
    if rate > 0:  # nothing done yet: no rate to tell the time left by
        line += f", ETA {duration(max(total - done, 0) / rate)}"
    return line


class ProgressLines:
    """Reports of (done, total) turned into a line for `write` at most once
    every `interval` seconds of `clock`, counted from when it was made."""

    def __init__(
        self,
        label: str,
        write: Callable[[str], None],
        *,
        unit: str = "rows",
        clock: Clock = time.monotonic,
        interval: float = INTERVAL,
    ) -> None:
        self.label = label
        self.unit = unit
        self._write = write
        self._clock = clock
        self._interval = interval
        self._started = clock()
        self._due = self._started + interval

    def update(self, done: int, total: int) -> None:
        now = self._clock()
        if now < self._due:
            return
        # From this line, not from the last due time: a late report is not
        # followed at once by a second line.
        self._due = now + self._interval
        self._write(progress_line(self.label, done, total, now - self._started, self.unit))


class _Bar:
    """rich's bar, started at the first report of work at least `bar_from` long."""

    def __init__(self, label: str, console: Console, bar_from: int) -> None:
        self.label = label
        self.console = console
        self.bar_from = bar_from
        self._shown: tuple[Progress, TaskID] | None = None

    def update(self, done: int, total: int) -> None:
        if total < self.bar_from:
            return
        if self._shown is None:
            columns = (self.label, BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            bar = Progress(*columns, console=self.console, transient=True)
            bar.start()
            self._shown = (bar, bar.add_task(self.label, total=total))
        bar, task = self._shown
        bar.update(task, completed=done, total=total)

    def stop(self) -> None:
        if self._shown is not None:
            self._shown[0].stop()


@contextmanager
def shown(
    label: str,
    console: Console,
    *,
    unit: str = "rows",
    total: int | None = None,
    bar_from: int = 0,
    clock: Clock | None = None,
    interval: float = INTERVAL,
) -> Iterator[Report]:
    """`report(done, total)` for work shown on `console`: a bar on a terminal
    (for work of at least `bar_from`, so short work does not flash one; drawn
    at once when the `total` is known), progress lines elsewhere (whose
    interval already keeps short work quiet)."""
    if not console.is_terminal:

        def write(line: str) -> None:
            console.print(line, markup=False, highlight=False)

        yield ProgressLines(label, write, unit=unit, clock=clock or CLOCK, interval=interval).update
        return
    bar = _Bar(label, console, bar_from)
    try:
        if total is not None:
            bar.update(0, total)
        yield bar.update
    finally:
        bar.stop()


__all__ = ["CLOCK", "INTERVAL", "ProgressLines", "duration", "progress_line", "shown"]
