"""What a run's samples add up to: rates, latency percentiles, counts by
outcome and decisions by requester component."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulators.traffic.generator import Run

QUANTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value with at least `q` of them at or below it."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


class Histogram:
    """Latencies in buckets 1% wide: percentiles so far, in constant memory,
    for the live display (the summary sorts the exact values)."""

    _FLOOR = 0.01  # ms
    _GROWTH = math.log(1.01)

    def __init__(self) -> None:
        self._counts: Counter[int] = Counter()
        self.count = 0

    def add(self, value: float) -> None:
        bucket = int(math.log(max(value, self._FLOOR) / self._FLOOR) / self._GROWTH)
        self._counts[bucket] += 1
        self.count += 1

    def percentile(self, q: float) -> float:
        if not self.count:
            return math.nan
        rank = max(1, math.ceil(q * self.count))
        seen = 0
        for bucket in sorted(self._counts):
            seen += self._counts[bucket]
            if seen >= rank:
                return self._FLOOR * math.exp((bucket + 1) * self._GROWTH)
        raise AssertionError("rank beyond the count")


def _quantiles(values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(values_ms)
    found = {name: percentile(ordered, q) for name, q in QUANTILES.items()}
    found["max"] = ordered[-1] if ordered else math.nan
    return found


@dataclass(frozen=True, slots=True)
class Summary:
    profile: str
    target_rate: float
    duration: float
    planned: int
    sent: int
    answered: int  # a 2xx reply
    errors: int  # everything else: ERs, 4xx/5xx, no answer
    dropped: int  # skipped: too many requests in flight
    late: int  # sent more than `late_after` behind schedule
    achieved_rate: float  # sends per second, over the span of the sends
    elapsed: float  # seconds from the start to the last answer
    latency_ms: Mapping[str, float]  # from the scheduled time
    service_ms: Mapping[str, float]  # from the actual send
    max_lateness_ms: float
    outcomes: Mapping[str, int]  # HTTP status (with ER code) or transport failure
    results: Mapping[str, int]  # per destination: answered, rejected, no_response, ...
    decisions: Mapping[str, Mapping[str, int]]  # requester component -> permit/deny -> count
    interrupted: bool = False

    def as_json(self) -> dict[str, Any]:
        def number(value: float) -> float | None:
            return None if math.isnan(value) else round(value, 3)

        return {
            "profile": self.profile,
            "target_rate": self.target_rate,
            "duration": self.duration,
            "planned": self.planned,
            "sent": self.sent,
            "answered": self.answered,
            "errors": self.errors,
            "dropped": self.dropped,
            "late": self.late,
            "achieved_rate": number(self.achieved_rate),
            "elapsed": number(self.elapsed),
            "latency_ms": {k: number(v) for k, v in self.latency_ms.items()},
            "service_ms": {k: number(v) for k, v in self.service_ms.items()},
            "max_lateness_ms": number(self.max_lateness_ms),
            "outcomes": dict(self.outcomes),
            "results": dict(self.results),
            "decisions": {c: dict(d) for c, d in self.decisions.items()},
            "interrupted": self.interrupted,
        }


def summarize(
    run: Run,
    *,
    profile: str,
    target_rate: float,
    duration: float,
    component_of: Callable[[str], str],
    late_after: float = 0.010,
) -> Summary:
    samples = run.samples
    sends = sorted(s.sent for s in samples)
    span = sends[-1] - sends[0] if len(sends) > 1 else 0.0
    achieved = (len(sends) - 1) / span if span > 0 else math.nan
    decisions: dict[str, Counter[str]] = {}
    results: Counter[str] = Counter()
    for sample in samples:
        for _destination, decision, status in sample.results:
            decisions.setdefault(component_of(sample.sender), Counter())[decision] += 1
            results[status] += 1
    return Summary(
        profile=profile,
        target_rate=target_rate,
        duration=duration,
        planned=run.planned,
        sent=len(samples),
        answered=sum(s.answered for s in samples),
        errors=sum(not s.answered for s in samples),
        dropped=run.dropped,
        late=sum(s.lateness > late_after for s in samples),
        achieved_rate=achieved,
        elapsed=run.elapsed,
        latency_ms=MappingProxyType(_quantiles([s.latency * 1000 for s in samples])),
        service_ms=MappingProxyType(_quantiles([s.service * 1000 for s in samples])),
        max_lateness_ms=max((s.lateness * 1000 for s in samples), default=math.nan),
        outcomes=MappingProxyType(dict(Counter(s.outcome for s in samples).most_common())),
        results=MappingProxyType(dict(results.most_common())),
        decisions=MappingProxyType(
            {c: MappingProxyType(dict(sorted(d.items()))) for c, d in sorted(decisions.items())}
        ),
        interrupted=run.interrupted,
    )
