"""What a replay found: recorded decisions against the candidate's, counted.

A `Transition` is one (old effect -> new effect) pair with its breakdowns by
the requester's department, component and type, by state and by the
candidate's deciding rule, and a few message ids to look at. Loosenings
(deny -> permit) come first: they are what a reviewer must not miss.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

TransitionKind = Literal["loosen", "tighten", "unchanged"]
EXAMPLES = 3
NONE_LABEL = "-"
# Loosenings, then tightenings, then what stays: the order of every listing.
_ORDER = {"loosen": 0, "tighten": 1, "unchanged": 2}
BREAKDOWNS = ("state", "department", "component", "type", "rule")


def kind_of(old: str, new: str) -> TransitionKind:
    if old == new:
        return "unchanged"
    return "loosen" if new == "permit" else "tighten"


@dataclass(slots=True)
class Transition:
    old: str
    new: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    by_state: Counter[str] = field(default_factory=Counter)
    by_department: Counter[str] = field(default_factory=Counter)
    by_component: Counter[str] = field(default_factory=Counter)
    by_type: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    examples_by_state: dict[str, list[str]] = field(default_factory=dict)

    @property
    def kind(self) -> TransitionKind:
        return kind_of(self.old, self.new)

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def breakdown(self, name: str) -> Counter[str]:
        found: Counter[str] = getattr(self, f"by_{name}")
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "kind": self.kind,
            "count": self.count,
            "examples": list(self.examples),
            **{f"by_{name}": _sorted(self.breakdown(name)) for name in BREAKDOWNS},
            "examples_by_state": {
                s: list(ids) for s, ids in sorted(self.examples_by_state.items())
            },
        }


@dataclass(slots=True)
class Unreplayable:
    """Recorded queries whose sender is no longer in the directory."""

    count: int = 0
    by_ori: Counter[str] = field(default_factory=Counter)
    by_state: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "by_ori": _sorted(self.by_ori),
            "by_state": _sorted(self.by_state),
            "examples": list(self.examples),
        }


@dataclass(slots=True)
class ReplayReport:
    candidate: dict[str, str]  # state -> candidate policy version
    states: list[str]
    since: datetime | None
    until: datetime | None
    records: int = 0  # recorded queries read
    transitions: list[Transition] = field(default_factory=list)
    unreplayable: Unreplayable = field(default_factory=Unreplayable)
    evaluations: int = 0
    seconds: float = 0.0

    @property
    def replayed(self) -> int:
        return self.records - self.unreplayable.count

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def of_kind(self, kind: TransitionKind) -> list[Transition]:
        return [t for t in self.transitions if t.kind == kind]

    def count(self, kind: TransitionKind) -> int:
        return sum(t.count for t in self.of_kind(kind))

    @property
    def loosenings(self) -> int:
        return self.count("loosen")

    @property
    def tightenings(self) -> int:
        return self.count("tighten")

    @property
    def changed(self) -> int:
        return self.loosenings + self.tightenings

    def get(self, old: str, new: str) -> Transition | None:
        return next((t for t in self.transitions if (t.old, t.new) == (old, new)), None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready; loosenings first, the throughput last."""
        return {
            "loosenings": self.loosenings,
            "loosening_changes": [t.as_dict() for t in self.of_kind("loosen")],
            "tightenings": self.tightenings,
            "changed": self.changed,
            "candidate": dict(sorted(self.candidate.items())),
            "states": list(self.states),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "records": self.records,
            "replayed": self.replayed,
            "unreplayable": self.unreplayable.as_dict(),
            "transitions": [t.as_dict() for t in self.transitions],
            "evaluations": self.evaluations,
            "seconds": round(self.seconds, 4),
            "records_per_s": round(self.records_per_s),
        }


def ordered(transitions: list[Transition]) -> list[Transition]:
    return sorted(transitions, key=lambda t: (_ORDER[t.kind], -t.count, t.old, t.new))


def _sorted(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
