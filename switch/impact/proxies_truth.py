"""The detector against a history's ground truth (`switch sim history`
writes it beside the database): precision and recall per pattern, and the
share of innocent look-alikes among what was flagged.

A flagged query is right when the truth planted that query under the same
pattern. The truth is read as JSON lines; only entries inside the report's
state and period count (a query id begins with its millisecond time).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from switch.impact.proxies import ProxyReport
from switch.impact.proxies_score import PATTERNS
from switch.impact.proxies_source import ProxyError

LOOK_ALIKE = "look-alike"


@dataclass(frozen=True, slots=True)
class PatternScore:
    pattern: str
    planted: int
    flagged: int
    caught: int  # flagged under this pattern and planted under it

    @property
    def missed(self) -> int:
        return self.planted - self.caught

    @property
    def false_alarms(self) -> int:
        return self.flagged - self.caught

    @property
    def precision(self) -> float | None:
        return self.caught / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.caught / self.planted if self.planted else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern, "planted": self.planted, "flagged": self.flagged,
            "caught": self.caught, "missed": self.missed, "false_alarms": self.false_alarms,
            "precision": _round(self.precision), "recall": _round(self.recall),
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class TruthScore:
    patterns: tuple[PatternScore, ...]
    flagged: int
    look_alikes: int  # flagged queries the truth says were innocent look-alikes
    look_alikes_planted: int

    @property
    def look_alike_share(self) -> float | None:
        return self.look_alikes / self.flagged if self.flagged else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "patterns": [p.as_dict() for p in self.patterns],
            "flagged": self.flagged,
            "look_alikes_flagged": self.look_alikes,
            "look_alikes_planted": self.look_alikes_planted,
            "look_alike_share": _round(self.look_alike_share),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def read_truth(path: Path) -> list[dict[str, Any]]:
    """The ground-truth lines; a clear error for a missing or broken file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProxyError(f"cannot read the ground truth {path}: {exc.strerror}") from exc
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            raise ProxyError(f"{path}:{number}: not a JSON line") from None
        if not isinstance(entry, dict) or not {"pattern", "query_id", "state"} <= entry.keys():
            raise ProxyError(f"{path}:{number}: needs pattern, query_id and state")
        entries.append(entry)
    return entries


def _moment(query_id: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(query_id[:12], 16) / 1000, UTC)
    except ValueError:
        return None


def _in_scope(entry: Mapping[str, Any], report: ProxyReport) -> bool:
    if report.state is not None and entry["state"] != report.state:
        return False
    at = _moment(str(entry["query_id"]))
    if at is None:
        return True
    if report.since is not None and at < report.since.replace(microsecond=0):
        return False
    return report.until is None or at < report.until


def against_truth(report: ProxyReport, entries: Iterable[Mapping[str, Any]]) -> TruthScore:
    truth = {str(e["query_id"]): str(e["pattern"]) for e in entries if _in_scope(e, report)}
    flagged = report.flagged
    patterns = []
    for pattern in PATTERNS:
        mine = [s for s in flagged if s.pattern == pattern]
        patterns.append(
            PatternScore(
                pattern,
                sum(1 for p in truth.values() if p == pattern),
                len(mine),
                sum(1 for s in mine if truth.get(s.query.id) == pattern),
            )
        )
    look = sum(1 for s in flagged if truth.get(s.query.id) == LOOK_ALIKE)
    return TruthScore(
        tuple(patterns), len(flagged), look, sum(1 for p in truth.values() if p == LOOK_ALIKE)
    )
