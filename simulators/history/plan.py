"""What a history is asked for (the year, the scale, the seed, the profile)
and what writing it gave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulators.history.figures import ANNUAL_QUERIES, FEDERAL_QUERIES, LOCAL
from simulators.history.profiles import LETTER_2025, HistoryProfile


class HistoryError(Exception):
    """The history cannot be written as asked (no such agencies, rows already
    there, live traffic already there)."""


@dataclass(frozen=True, slots=True)
class HistoryPlan:
    """The year ending 30 September of `year`, scaled by `scale`, with the
    side doors `profile` plants (on top of the public figures' queries)."""

    year: int
    scale: float
    seed: int = 0
    profile: HistoryProfile = LETTER_2025

    @property
    def start(self) -> datetime:
        return datetime(self.year - 1, 10, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime(self.year, 10, 1, tzinfo=UTC)

    def counts(self, components: Sequence[str] = tuple(FEDERAL_QUERIES)) -> dict[str, int]:
        """Queries per requester group; a component the directory lacks is
        counted with the state and local agencies."""
        total = round(ANNUAL_QUERIES * self.scale)
        federal = {c: round(n * self.scale) for c, n in FEDERAL_QUERIES.items() if c in components}
        return {**federal, LOCAL: max(total - sum(federal.values()), 0)}


@dataclass(frozen=True, slots=True)
class HistoryResult:
    records: int
    outcomes: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    # Planted queries by pattern, and one ground-truth entry per plant (see `truth`).
    planted: dict[str, int] = field(default_factory=dict)
    truth: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows_per_s(self) -> float:
        return (self.records + self.outcomes) / self.seconds if self.seconds else 0.0
