"""The index of recent refusals in memory: what a replay fills in time order.

It answers as `RefusalIndex` does (same window, one answer per refused
message and state) and keeps the same bound: entries past the horizon, and
past `max_entries` the oldest, are dropped. Time only moves forward here,
as in a replay; `add` is given the refusal's own time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from switch.policy.refusals import Refusal, latest_refusal
from switch.recent_refusals._index import DEFAULT_MAX_ENTRIES


class RefusalMemory:
    def __init__(self, horizon_hours: float, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("the index must hold at least one refusal")
        self.horizon = timedelta(hours=horizon_hours)
        self.max_entries = max_entries
        # (subject, refusal) oldest first, and per subject its refusals.
        self._order: deque[tuple[str, Refusal]] = deque()
        self._by_subject: dict[str, deque[Refusal]] = {}

    def __len__(self) -> int:
        return len(self._order)

    def add(self, subjects: Sequence[str], refusal: Refusal) -> None:
        self._forget(refusal.at)
        for subject in subjects:
            self._order.append((subject, refusal))
            self._by_subject.setdefault(subject, deque()).append(refusal)
        while len(self._order) > self.max_entries:
            self._drop()

    def recent(self, subjects: Sequence[str], at: datetime, hours: float) -> tuple[Refusal, ...]:
        since = at - timedelta(hours=hours)
        found: dict[tuple[str, str], Refusal] = {}
        for subject in subjects:
            for r in self._by_subject.get(subject, ()):
                if since < r.at <= at:
                    found.setdefault((r.message_id, r.state), r)
        return tuple(sorted(found.values(), key=lambda r: r.at))

    def refused_to(
        self,
        subjects: Sequence[str],
        state: str,
        components: Collection[str],
        at: datetime,
        hours: float,
    ) -> Refusal | None:
        """The latest refusal of any of `subjects` at `state` to one of
        `components` in (at - hours, at], or None: the question a
        `subject.refused_to` test asks, for callers outside a policy."""
        refusals = self.recent(subjects, at, hours)
        return latest_refusal(refusals, state, frozenset(components), at, timedelta(hours=hours))

    def has(self, subjects: Sequence[str]) -> bool:
        """Whether anything is remembered of these subjects (a cheap first look)."""
        by_subject = self._by_subject
        return any(s in by_subject for s in subjects)

    def _forget(self, now: datetime) -> None:
        cutoff = now - self.horizon
        while self._order and self._order[0][1].at <= cutoff:
            self._drop()

    def _drop(self) -> None:
        subject, _ = self._order.popleft()
        kept = self._by_subject[subject]
        kept.popleft()  # INVARIANT: per subject, refusals are in the order added
        if not kept:
            del self._by_subject[subject]
