"""`switch impact proxies`: queries that may have been made for a refused
federal immigration requester, found in the audit and scored.

For each query, the most recent refusal of ICE-ERO, ICE-HSI or CBP about
the same subject at the same state within the window is the original; the
pair is scored by `proxies_score.score` (pure, the rule of thumb) and
flagged from its threshold. The database does the linking
(`proxies_source`); this module picks the original and counts.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from switch.directory import Directory
from switch.impact.proxies_score import (
    DEFAULT_WINDOW,
    IMMIGRATION,
    PATTERNS,
    RULE_OF_THUMB,
    THRESHOLD,
    Query,
    Refusal,
    Suspicion,
    score,
)
from switch.impact.proxies_source import AuditReader, LinkedRow, ProxyError, RefusalRow
from switch.messages.subjects import subject_keys


@dataclass(frozen=True, slots=True)
class ProxyReport:
    """What the detector found: every scored pair, and which were flagged."""

    state: str | None
    since: datetime | None
    until: datetime | None
    window: timedelta
    threshold: int
    records: int  # audit records read
    refusals: int
    linked: int  # later queries naming a refused subject in the window
    scored: tuple[Suspicion, ...]  # linked and tied to immigration, flagged or not
    seconds: float = 0.0
    rule_of_thumb: str = field(default=RULE_OF_THUMB)

    @property
    def flagged(self) -> list[Suspicion]:
        return [s for s in self.scored if s.flagged(self.threshold)]

    def by_pattern(self) -> dict[str, int]:
        counts = Counter(s.pattern for s in self.flagged)
        return {pattern: counts.get(pattern, 0) for pattern in PATTERNS}

    def by_requester(self) -> dict[str, dict[str, int]]:
        """Requester ORI → flagged count by pattern, most flagged first."""
        table: dict[str, Counter[str]] = {}
        for s in self.flagged:
            table.setdefault(s.query.ori, Counter())[s.pattern] += 1
        ranked = sorted(table.items(), key=lambda item: (-sum(item[1].values()), item[0]))
        return {ori: dict(sorted(c.items())) for ori, c in ranked}

    def by_refused(self) -> dict[str, int]:
        """The refused requester ORI → how many flagged queries followed it."""
        counts = Counter(s.refusal.ori for s in self.flagged)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _refusal(row: RefusalRow) -> list[Refusal]:
    return [
        Refusal(row.id, row.at, row.ori, row.state, key)
        for key in subject_keys(row.fields, row.at.date())
    ]


def _states(destinations: str) -> list[str]:
    return [s.strip() for s in destinations.split(",") if s.strip()]


def pick_original(
    query_keys: tuple[str, ...],
    state: str,
    at: datetime,
    candidates: list[Refusal],
    window: timedelta,
) -> Refusal | None:
    """The most recent refusal about the same subject (the whole normalised
    key, DOB and all) at `state`, before `at` and within the window."""
    wanted = set(query_keys)
    best: Refusal | None = None
    for refusal in candidates:
        if refusal.subject not in wanted or refusal.state != state:
            continue
        if not timedelta(0) < at - refusal.at <= window:
            continue
        if best is None or (refusal.at, refusal.id) > (best.at, best.id):
            best = refusal
    return best


def find_proxies(
    engine: Engine,
    directory: Directory,
    *,
    state: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    window: timedelta = DEFAULT_WINDOW,
    threshold: int = THRESHOLD,
    on_progress: Callable[[int, int], None] | None = None,
) -> ProxyReport:
    """Every later query that a refused subject's state saw within `window`
    of the refusal, scored; `since`/`until` bound the later queries."""
    if window <= timedelta(0):
        raise ProxyError("the window must be longer than zero")
    started = time.perf_counter()
    oris = sorted(a.ori for a in directory if a.component in IMMIGRATION)
    reader = AuditReader(engine)
    try:
        rows = reader.refusals(oris, state, since - window if since else None, until)
        refusals = [r for row in rows for r in _refusal(row)]
        by_id: dict[str, list[Refusal]] = {}
        for r in refusals:
            by_id.setdefault(r.id, []).append(r)
        first, last, records = reader.span()
        linked: dict[tuple[str, str], tuple[LinkedRow, list[Refusal]]] = {}
        if refusals:
            reader.stage(rows, window)
            total = last - first + 1
            report: Callable[[int], None] | None = (
                (lambda done: on_progress(done, total)) if on_progress else None
            )
            for row in reader.linked(first, last, since, until, report):
                for st in _states(row.destinations):
                    entry = linked.setdefault((row.id, st), (row, []))
                    entry[1].extend(by_id.get(row.refusal_id, ()))
        decisions = reader.decisions(sorted({i for i, _ in linked}))
    finally:
        reader.close()
    scored: list[Suspicion] = []
    count = 0
    for (query_id, st), (row, candidates) in sorted(linked.items(), key=_order):
        keys = subject_keys(row.fields, row.at.date())
        original = pick_original(keys, st, row.at, candidates, window)
        if original is None:
            continue
        count += 1
        query = Query(
            query_id, row.at, row.ori, st, row.key, row.fields, decisions.get((query_id, st))
        )
        found = score(original, query, directory, window)
        if found is not None:
            scored.append(found)
    return ProxyReport(
        state,
        since,
        until,
        window,
        threshold,
        records,
        len(rows),
        count,
        tuple(scored),
        seconds=time.perf_counter() - started,
    )


def _order(item: tuple[tuple[str, str], tuple[LinkedRow, Any]]) -> tuple[datetime, str, str]:
    (query_id, st), (row, _) = item
    return row.at, query_id, st
