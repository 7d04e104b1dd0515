"""`switch policy matrix --national --component C`: where can C still query.

Each jurisdiction is `open` (permitted without a warrant, whatever the key),
`warrant-only` (permitted exactly when a judicial warrant is cited),
`blocked` (denied even with one) or `partial` (it depends; the detail says
on what). The gap section compares C with the other components of its
department: a block that names ICE-ERO but not ICE-HSI leaves most of ICE's
traffic open, and that must show.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from switch.directory import JURISDICTIONS, Directory
from switch.impact.diff import PolicySide
from switch.impact.diff_collapse import box_order, collapse, describe, is_full
from switch.impact.diff_space import Outcome, build_space, outcome
from switch.policy.compiler import CompiledPolicy

Status = Literal["open", "warrant-only", "blocked", "partial"]
STATUSES: tuple[Status, ...] = ("open", "warrant-only", "blocked", "partial")
_MERGE = ("key", "reason", "image", "time", "warrant", "in_state", "requester")


@dataclass(frozen=True, slots=True)
class ComponentAccess:
    """How one component fares with one jurisdiction's policy."""

    state: str
    status: Status
    detail: str  # the conditions, for a person; "" when there are none
    permits: list[str]  # outcome labels of the permitted classes
    rules: list[str]  # the rules that deny
    policy: PolicySide

    @property
    def restricted(self) -> bool:
        return self.status != "open"

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "status": self.status,
            "detail": self.detail,
            "permits": self.permits,
            "rules": self.rules,
            "policy": self.policy.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class GapState:
    state: str
    status: Status  # for the component asked about
    other_status: Status

    def as_dict(self) -> dict[str, str]:
        return {"state": self.state, "status": self.status, "other_status": self.other_status}


@dataclass(frozen=True, slots=True)
class ComponentGap:
    """Where another component of the same department fares differently."""

    component: str
    other: str
    states: list[GapState]

    @property
    def open_to_other(self) -> list[GapState]:
        """Restricted for the component asked about, open to the other."""
        return [g for g in self.states if g.status != "open" and g.other_status == "open"]

    @property
    def open_to_this(self) -> list[GapState]:
        return [g for g in self.states if g.status == "open" and g.other_status != "open"]

    @property
    def different(self) -> list[GapState]:
        """Restricted for both, but not the same way."""
        return [g for g in self.states if "open" not in (g.status, g.other_status)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "other": self.other,
            "open_to_other": [g.state for g in self.open_to_other],
            "open_to_this": [g.state for g in self.open_to_this],
            "different": [g.state for g in self.different],
            "states": [g.as_dict() for g in self.states],
        }


@dataclass(frozen=True, slots=True)
class NationalMatrix:
    component: str
    department: str | None
    jurisdictions: list[ComponentAccess]
    gaps: list[ComponentGap]

    def states(self, status: Status) -> list[str]:
        return [a.state for a in self.jurisdictions if a.status == status]

    def counts(self) -> dict[str, int]:
        return {status: len(self.states(status)) for status in STATUSES}

    def summary(self) -> str:
        """`ICE-HSI: open in 47 of 52 jurisdictions; blocked in MA, MN; ...`"""
        total = len(self.jurisdictions)
        parts = [f"{self.component}: open in {len(self.states('open'))} of {total} jurisdictions"]
        for status, words in (
            ("blocked", "blocked in"),
            ("warrant-only", "judicial warrant needed in"),
            ("partial", "partial in"),
        ):
            if found := self.states(status):  # type: ignore[arg-type]
                parts.append(f"{words} {', '.join(found)}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "department": self.department,
            "summary": self.summary(),
            "counts": self.counts(),
            "jurisdictions": [a.as_dict() for a in self.jurisdictions],
            "gaps": [g.as_dict() for g in self.gaps],
        }


def component_access(
    policy: CompiledPolicy | None, directory: Directory, state: str, component: str
) -> ComponentAccess:
    space = build_space(directory, [policy], state, only=[component])
    if not space.points:
        raise KeyError(f"no agency in the directory has component {component!r}")
    decisions = {p.values: space.decide(policy, p) for p in space.points}
    outcomes = {values: outcome(d) for values, d in decisions.items()}
    warrant = space.dimensions.index("warrant")
    permits = sorted({o.label for o in outcomes.values() if o.effect == "permit"})
    rules = sorted(
        {r for d in decisions.values() if d is not None and d.effect == "deny" for r in d.rules}
    )
    status: Status
    if all(o.effect == "permit" for o in outcomes.values()):
        status, detail = "open", _terms(space.dimensions, space.domains, outcomes)
    elif not permits:
        status, detail = "blocked", "denied even with a judicial warrant"
    elif all((o.effect == "permit") == (v[warrant] == "judicial") for v, o in outcomes.items()):
        status, detail = "warrant-only", "judicial warrant: " + ", ".join(permits)
    else:
        status = "partial"
        denied = {v: o for v, o in outcomes.items() if o.effect == "deny"}
        detail = "denied for " + _boxes(space.dimensions, space.domains, denied)
    return ComponentAccess(state, status, detail, permits, rules, PolicySide.of(policy))


def _boxes(
    dimensions: tuple[str, ...],
    domains: dict[str, tuple[Hashable, ...]],
    points: dict[tuple[Hashable, ...], Outcome],
) -> str:
    """`DQ/DNQ · out of state; KQ · warrant none` (only what is not "any")."""
    order = [dimensions.index(d) for d in _MERGE if d in dimensions]
    boxes = collapse(points, order)
    boxes.sort(key=lambda box: box_order(box, [domains[d] for d in dimensions]))
    described = []
    for box in boxes:
        parts = [
            describe(name, values, domains[name])
            for name, values in zip(dimensions, box.sets, strict=True)
            if not is_full(values, domains[name])
        ]
        described.append(" · ".join(parts) or "every request")
    return "; ".join(described)


def _terms(
    dimensions: tuple[str, ...],
    domains: dict[str, tuple[Hashable, ...]],
    outcomes: dict[tuple[Hashable, ...], Outcome],
) -> str:
    """An open jurisdiction's terms: which permits carry redactions or obligations."""
    plain = Outcome("permit")
    if all(o == plain for o in outcomes.values()):
        return ""
    by_label: dict[str, dict[tuple[Hashable, ...], Outcome]] = {}
    for values, o in outcomes.items():
        if o != plain:
            by_label.setdefault(o.label, {})[values] = o
    return "; ".join(
        f"{label} for {_boxes(dimensions, domains, points)}"
        for label, points in sorted(by_label.items())
    )


def _department(directory: Directory, component: str) -> str | None:
    return next((a.department for a in directory if a.component == component), None)


def national_matrix(
    policies: Mapping[str, CompiledPolicy], directory: Directory, component: str
) -> NationalMatrix:
    """`component`'s access in every jurisdiction (one without a policy
    answers everyone), and the gaps against its department's other components."""
    known = {c.casefold(): c for c in directory.components()}
    if component.casefold() not in known:
        raise KeyError(f"no agency in the directory has component {component!r}")
    component = known[component.casefold()]
    department = _department(directory, component)
    states = sorted(set(JURISDICTIONS) | set(policies))

    def access(c: str) -> list[ComponentAccess]:
        return [component_access(policies.get(st), directory, st, c) for st in states]

    mine = access(component)
    siblings = [
        c
        for c in directory.components()
        if c != component and _department(directory, c) == department
    ]
    gaps = []
    for other in siblings if department else []:
        theirs = access(other)
        differing = [
            GapState(a.state, a.status, b.status)
            for a, b in zip(mine, theirs, strict=True)
            if (a.status, a.detail) != (b.status, b.detail)
        ]
        gaps.append(ComponentGap(component, other, differing))
    return NationalMatrix(component, department, mine, gaps)
