"""What the demo saw, for its closing table: messages by key, outcomes, and
the two latencies, each named where it shows.

The narration and the live traffic are played and shown by the scenario
player (`simulators.scenarios`); this only counts what came back.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from simulators.mockstate import Fault
from simulators.scenarios import IN_HUB, Target
from switch.client import Reply

END_TO_END = "end to end"
LATENCY_NOTE = (
    f"Latency {END_TO_END}: from the sender's request to its reply, as the sender sees it "
    "(HTTP, parsing, policy, state, audit write). "
    f"Latency {IN_HUB}: the policy decision and the state's answer, the ms on each flow line."
)


@dataclass(slots=True)
class Tally:
    end_to_end_ms: list[float] = field(default_factory=list)
    in_hub_ms: list[float] = field(default_factory=list)
    by_key: Counter[str] = field(default_factory=Counter)
    by_outcome: Counter[str] = field(default_factory=Counter)
    by_state: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def sent(self) -> int:
        return sum(self.by_key.values())

    def add(self, key: str, reply: Reply, elapsed_ms: float) -> None:
        self.end_to_end_ms.append(elapsed_ms)
        self.by_key[key] += 1
        if reply.error is not None:
            self.by_outcome[f"ER {reply.error.code}"] += 1
            return
        for result in reply.results:
            self.by_outcome[f"{result.decision} · {result.status}"] += 1
            self.by_state[(result.destination, result.decision)] += 1
            self.in_hub_ms.append(result.latency_ms)

    def table(self) -> Table:
        table = Table(title="Demo summary", show_lines=False)
        table.add_column("What")
        table.add_column("Count", justify="right")
        for key, count in sorted(self.by_key.items()):
            table.add_row(f"messages {key}", str(count))
        for outcome, count in sorted(self.by_outcome.items()):
            table.add_row(outcome, str(count))
        for span, values in ((END_TO_END, self.end_to_end_ms), (IN_HUB, self.in_hub_ms)):
            if values:
                p50, p95 = _percentiles(values)
                table.add_row(f"latency p50 {span} (ms)", f"{p50:.1f}")
                table.add_row(f"latency p95 {span} (ms)", f"{p95:.1f}")
        return table

    def show(self, console: Console) -> None:
        """The table, and what its two latencies measure (prose, so wrapped)."""
        console.print()
        console.print(self.table())
        console.print(LATENCY_NOTE, style="dim", soft_wrap=False, highlight=False)


class TalliedTarget:
    """A scenario target that counts each reply and times it as its sender
    sees it (end to end)."""

    def __init__(self, target: Target, tally: Tally) -> None:
        self._target = target
        self._tally = tally

    async def send(self, sender: str, text: str, wait: float | None) -> Reply:
        started = time.perf_counter()
        reply = await self._target.send(sender, text, wait)
        elapsed = (time.perf_counter() - started) * 1000.0
        self._tally.add(text.split(".", 1)[0], reply, elapsed)
        return reply

    async def set_faults(self, state: str, faults: Sequence[Fault]) -> None:
        await self._target.set_faults(state, faults)

    async def clear_faults(self, state: str) -> None:
        await self._target.clear_faults(state)


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
