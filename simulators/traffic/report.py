"""Showing a run: a live line while it goes, tables at the end."""

from __future__ import annotations

import math
import time

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from simulators.traffic.generator import Progress
from simulators.traffic.stats import Summary


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def live_line(progress: Progress) -> Text:
    latency = progress.latency
    line = Text.assemble(
        (f"{progress.elapsed:5.1f}s ", "dim"),
        f"sent {progress.sent}/{progress.planned} · ",
        ("answered ", "green"),
        f"{progress.answered} · ",
        ("errors ", "red" if progress.errors else "dim"),
        f"{progress.errors} · in flight {progress.in_flight} · ",
        f"{progress.current_rate:.0f}/s · ",
        f"p50 {_ms(latency.percentile(0.5))} ms · p95 {_ms(latency.percentile(0.95))} ms",
    )
    if progress.late or progress.dropped:
        line.append(f" · late {progress.late} · dropped {progress.dropped}", style="yellow")
    return line


class LiveProgress:
    """A line redrawn in place on a terminal; elsewhere (a log, CI) a line
    printed every `every` seconds, and the last one at the end."""

    def __init__(self, console: Console, *, every: float = 2.0) -> None:
        self._console = console
        self._every = every
        self._printed = -math.inf
        self._unprinted: Text | None = None
        self._live: Live | None = None
        if console.is_terminal:
            self._live = Live(console=console, auto_refresh=False, transient=True)

    def __enter__(self) -> LiveProgress:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._live is not None:
            self._live.stop()
        elif self._unprinted is not None:
            self._console.print(self._unprinted, highlight=False, soft_wrap=True)

    def __call__(self, progress: Progress) -> None:
        line = live_line(progress)
        if self._live is not None:
            self._live.update(line, refresh=True)
            return
        now = time.monotonic()
        if now - self._printed >= self._every:
            self._printed = now
            self._console.print(line, highlight=False, soft_wrap=True)
            self._unprinted = None
        else:
            self._unprinted = line


def summary_tables(summary: Summary) -> Group:
    run = Table(title=f"Traffic: {summary.profile}", show_header=False, title_justify="left")
    run.add_column("What")
    run.add_column("Value", justify="right")
    run.add_row("target rate", f"{summary.target_rate:g}/s for {summary.duration:g} s")
    run.add_row("achieved rate", f"{summary.achieved_rate:.1f}/s")
    planned = f"{summary.planned} · {summary.sent} · {summary.dropped}"
    run.add_row("planned · sent · dropped", planned)
    run.add_row("answered · errors", f"{summary.answered} · {summary.errors}")
    run.add_row("late sends (max behind)", f"{summary.late} ({_ms(summary.max_lateness_ms)} ms)")
    for name in ("p50", "p95", "p99", "max"):
        run.add_row(
            f"latency {name} (ms)",
            f"{_ms(summary.latency_ms[name])}  [dim]from send {_ms(summary.service_ms[name])}[/]",
        )
    for outcome, count in summary.outcomes.items():
        run.add_row(f"HTTP {outcome}", str(count))
    for status, count in summary.results.items():
        run.add_row(f"result {status}", str(count))
    if summary.interrupted:
        run.add_row("[yellow]interrupted[/]", "yes")

    decisions = Table(title="Decisions by requester component", title_justify="left")
    decisions.add_column("Component")
    decisions.add_column("permit", justify="right", style="green")
    decisions.add_column("deny", justify="right", style="red")
    decisions.add_column("deny %", justify="right")
    for component, counts in summary.decisions.items():
        permit, deny = counts.get("permit", 0), counts.get("deny", 0)
        share = f"{100 * deny / (permit + deny):.1f}" if permit + deny else "-"
        decisions.add_row(component, str(permit), str(deny), share)
    return Group(run, decisions)
