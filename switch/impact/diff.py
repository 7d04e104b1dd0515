"""`switch policy diff`: what a policy change does, class by class.

Not a text diff: both versions decide every request class either can tell
apart (`diff_space`), and the classes whose effect, redactions or
obligations change are folded into a few readable lines (`diff_collapse`).
A state with a policy on one side only is compared against no policy
(permit all), as the switch would answer it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from switch.directory import Directory
from switch.impact.diff_collapse import box_order, collapse, ordered
from switch.impact.diff_space import Outcome, Space, build_space, outcome
from switch.policy.compiler import CompiledPolicy, compile_policy
from switch.policy.decision import Decision
from switch.policy.loader import PolicyError, PolicyProblem, load_policy_file

ChangeKind = Literal["loosen", "tighten", "terms"]
# Loosenings first, then terms that give something up: what a reviewer must see.
_KIND_ORDER = {"loosen": 0, "terms-drop": 1, "tighten": 2, "terms": 3}
# Merge keys first and requesters last: lines read "who: on what terms".
_MERGE_ORDER = ("key", "reason", "image", "time", "warrant", "in_state", "requester")


@dataclass(frozen=True, slots=True)
class PolicySide:
    """One side of a comparison: a policy file, or none (permit all)."""

    source: str | None
    version: str | None

    @classmethod
    def of(cls, policy: CompiledPolicy | None) -> PolicySide:
        return cls(policy.source, policy.version) if policy is not None else cls(None, None)

    @property
    def label(self) -> str:
        return f"{self.source} ({self.version})" if self.source else "no policy (permit all)"

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "version": self.version, "policy": self.source is not None}


@dataclass(frozen=True, slots=True)
class Change:
    """Request classes that change the same way, as one box of values."""

    kind: ChangeKind
    # dimension -> the values of the box, in display order
    classes_by: dict[str, list[Hashable]]
    old: Outcome
    new: Outcome
    old_by: str  # "rule a, b" | "default" | "no policy"
    new_by: str
    classes: int

    @property
    def drops(self) -> bool:
        """A permit that gives up a redaction or obligation it had."""
        return self.kind == "terms" and (
            bool(set(self.old.redact) - set(self.new.redact))
            or bool(set(self.old.obligations) - set(self.new.obligations))
        )

    def as_dict(self) -> dict[str, Any]:
        values = {
            name: [v.isoformat() if hasattr(v, "isoformat") else v for v in vals]
            for name, vals in self.classes_by.items()
        }
        return {
            "kind": self.kind,
            "drops_terms": self.drops,
            **values,
            "old": {**self.old.as_dict(), "by": self.old_by},
            "new": {**self.new.as_dict(), "by": self.new_by},
            "classes": self.classes,
        }


@dataclass(frozen=True, slots=True)
class StateDiff:
    state: str
    old: PolicySide
    new: PolicySide
    dimensions: tuple[str, ...]
    domains: dict[str, tuple[Hashable, ...]]
    classes: int  # request classes compared
    changes: list[Change] = field(default_factory=list)

    def _count(self, kind: str) -> int:
        return sum(c.classes for c in self.changes if c.kind == kind)

    @property
    def changed(self) -> int:
        return sum(c.classes for c in self.changes)

    @property
    def loosened(self) -> int:
        return self._count("loosen")

    @property
    def tightened(self) -> int:
        return self._count("tighten")

    @property
    def terms(self) -> int:
        return self._count("terms")

    @property
    def terms_dropped(self) -> int:
        return sum(c.classes for c in self.changes if c.drops)

    @property
    def note(self) -> str | None:
        if self.old.source is None and self.new.source is None:
            return "no policy on either side"
        if self.old.source is None:
            return "no policy in OLD: compared against permit all"
        if self.new.source is None:
            return "no policy in NEW: compared against permit all"
        return None

    def counts(self) -> dict[str, int]:
        return {
            "classes": self.classes,
            "changed": self.changed,
            "loosened": self.loosened,
            "tightened": self.tightened,
            "terms": self.terms,
            "terms_dropped": self.terms_dropped,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "old": self.old.as_dict(),
            "new": self.new.as_dict(),
            "note": self.note,
            **self.counts(),
            "changes": [c.as_dict() for c in self.changes],
        }


@dataclass(frozen=True, slots=True)
class DiffReport:
    states: list[StateDiff]

    def totals(self) -> dict[str, int]:
        keys = ("classes", "changed", "loosened", "tightened", "terms", "terms_dropped")
        totals = {k: sum(s.counts()[k] for s in self.states) for k in keys}
        totals["states"] = len(self.states)
        totals["states_changed"] = sum(1 for s in self.states if s.changes)
        return totals

    def as_dict(self) -> dict[str, Any]:
        return {"states": [s.as_dict() for s in self.states], "totals": self.totals()}


def _by(decision: Decision | None) -> str:
    if decision is None:
        return "no policy"
    if not decision.rules:
        return "default"
    return "rule " + ", ".join(decision.rules)


def _kind(old: Outcome, new: Outcome) -> ChangeKind:
    if old.effect == new.effect:
        return "terms"
    return "loosen" if new.effect == "permit" else "tighten"


def diff_policies(
    old: CompiledPolicy | None, new: CompiledPolicy | None, directory: Directory, state: str
) -> StateDiff:
    """Compare two versions of one state's policy (None: no policy)."""
    space = build_space(directory, [old, new], state)
    changed: dict[tuple[Hashable, ...], tuple[Outcome, Outcome, str, str]] = {}
    # The same text decides the same way: a folder against itself costs nothing.
    same = old is not None and new is not None and old.version == new.version
    for point in () if same else space.points:
        before = space.decide(old, point)
        after = space.decide(new, point)
        was, now = outcome(before), outcome(after)
        if was != now:
            changed[point.values] = (was, now, _by(before), _by(after))
    return StateDiff(
        state=state,
        old=PolicySide.of(old),
        new=PolicySide.of(new),
        dimensions=space.dimensions,
        domains=space.domains,
        classes=len(space.points),
        changes=_changes(space, changed),
    )


def _changes(
    space: Space, changed: dict[tuple[Hashable, ...], tuple[Outcome, Outcome, str, str]]
) -> list[Change]:
    order = [space.dimensions.index(d) for d in _MERGE_ORDER if d in space.dimensions]
    domains = [space.domains[d] for d in space.dimensions]
    boxes = collapse(changed, order)
    boxes.sort(key=lambda box: box_order(box, domains))
    changes = []
    for box in boxes:
        was, now, old_by, new_by = box.value
        values = {
            name: ordered(values, space.domains[name])
            for name, values in zip(space.dimensions, box.sets, strict=True)
        }
        changes.append(Change(_kind(was, now), values, was, now, old_by, new_by, box.size))
    changes.sort(key=lambda c: _KIND_ORDER["terms-drop" if c.drops else c.kind])
    return changes


def load_policies(path: Path) -> dict[str, CompiledPolicy]:
    """A policy file, or a folder's `<ST>.yaml` files, compiled, by state;
    every problem in every file is raised together."""
    if path.is_file():
        policy = compile_policy(load_policy_file(path))
        return {policy.state: policy}
    if not path.is_dir():
        raise PolicyError([PolicyProblem(str(path), None, "no such policy file or folder")])
    files = sorted(p for p in path.glob("*.yaml") if len(p.stem) == 2 and p.stem.isupper())
    policies: dict[str, CompiledPolicy] = {}
    problems: list[PolicyProblem] = []
    for file in files:
        try:
            policies[file.stem] = compile_policy(load_policy_file(file))
        except PolicyError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PolicyError(problems)
    return policies


def diff_paths(old: Path, new: Path, directory: Directory, state: str | None = None) -> DiffReport:
    """Compare two policy files, two folders, or a file and a folder."""
    sides: list[dict[str, CompiledPolicy]] = []
    problems: list[PolicyProblem] = []
    for path in (old, new):
        try:
            sides.append(load_policies(path))
        except PolicyError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PolicyError(problems)
    olds, news = sides
    if old.is_file() and new.is_file() and set(olds) != set(news):
        (was,), (now,) = olds, news
        reason = f"is {now}'s policy but {old} is {was}'s: diff two versions of one state's policy"
        raise PolicyError([PolicyProblem(str(new), None, reason)])
    if old.is_file():
        news = {s: p for s, p in news.items() if s in olds}
    if new.is_file():
        olds = {s: p for s, p in olds.items() if s in news}
    states = sorted(set(olds) | set(news))
    if state is not None:
        for path, policies in ((old, olds), (new, news)):
            if path.is_file() and state not in policies:
                reason = f"is {next(iter(policies))}'s policy, not {state}'s"
                raise PolicyError([PolicyProblem(str(path), None, reason)])
        states = [state]
    return DiffReport([diff_policies(olds.get(st), news.get(st), directory, st) for st in states])
