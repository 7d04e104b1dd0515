"""The labelled request space the diff and the matrix walk.

`switch.policy.space` enumerates request classes for the engine; this names
them for a person: each point is (requester, side, key, warrant, and the
reason, image and time when some rule tests them), with requesters labelled
by component (federal) or ORION type (others), qualified only where a rule
tells agencies of the same label apart (e.g. `SO [287g]`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from switch.directory import AGENCY_TYPES, JURISDICTIONS, Directory
from switch.directory.model import Agency
from switch.policy.compiler import CompiledPolicy
from switch.policy.decision import Decision
from switch.policy.engine import evaluate
from switch.policy.facts import Facts
from switch.policy.model import MessageKey, PolicyFile
from switch.policy.space import REASONS, SAMPLE_TIMES, WARRANTS, RequestClass, tested_attributes
from switch.policy.space import _conditions as conditions

KEYS: tuple[str, ...] = MessageKey.__args__  # type: ignore[attr-defined]
# The dimensions a point has, in this order; reason, image and time only
# vary when some rule tests them.
DIMENSIONS = ("requester", "in_state", "key", "warrant", "reason", "image", "time")
_TYPE_ORDER = {t: i for i, t in enumerate(AGENCY_TYPES)}
_SPLITTING = ("requester_tags", "requester_state", "requester_ori")
_OBLIGATION_NAMES = {"notify_subject": "notify", "report": "report", "flag_for_review": "review"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a request class gets: the effect and its terms, as sets."""

    effect: str
    redact: tuple[str, ...] = ()
    obligations: tuple[str, ...] = ()

    @classmethod
    def of(cls, decision: Decision) -> Outcome:
        obligations = []
        for o in decision.obligations:
            name = _OBLIGATION_NAMES[o.kind]
            days = f"({o.within_business_days}d)" if o.within_business_days is not None else ""
            obligations.append(name + days)
        return cls(decision.effect, tuple(sorted(decision.redact)), tuple(sorted(obligations)))

    @property
    def label(self) -> str:
        """`deny`, `permit`, `permit[-ADR,IMG]+notify(3d)+report`."""
        text = self.effect
        if self.redact:
            text += "[-" + ",".join(self.redact) + "]"
        return text + "".join("+" + o for o in self.obligations)

    def as_dict(self) -> dict[str, Any]:
        return {
            "effect": self.effect,
            "redact": list(self.redact),
            "obligations": list(self.obligations),
            "label": self.label,
        }


PERMIT_ALL = Outcome("permit")


@dataclass(frozen=True, slots=True)
class RequesterClass:
    """Agencies no rule under study can tell apart (the side aside)."""

    label: str
    base: str  # component, or ORION type for state and local agencies
    agency: Agency  # one that stands for the class

    @property
    def sort_key(self) -> tuple[int, int, str]:
        federal = self.agency.component is not None
        return (0 if federal else 1, 0 if federal else _TYPE_ORDER.get(self.base, 99), self.label)


@dataclass(frozen=True, slots=True)
class Point:
    """One request class, named by its dimension values."""

    values: tuple[Hashable, ...]  # in the order of `Space.dimensions`
    request: RequestClass


@dataclass(frozen=True, slots=True)
class Space:
    state: str
    dimensions: tuple[str, ...]
    domains: dict[str, tuple[Hashable, ...]]
    requesters: dict[str, RequesterClass]
    points: tuple[Point, ...]

    def decide(self, policy: CompiledPolicy | None, point: Point) -> Decision | None:
        """The decision for a point; None where there is no policy (permit all)."""
        if policy is None:
            return None
        return evaluate(policy, Facts.of(point.request.request(self.state)))


def outcome(decision: Decision | None) -> Outcome:
    return PERMIT_ALL if decision is None else Outcome.of(decision)


def tested_values(policies: Iterable[PolicyFile]) -> dict[str, set[str]]:
    """The values rules name for the requester attributes that split classes."""
    found: dict[str, set[str]] = {name: set() for name in _SPLITTING}
    for policy in policies:
        for rule in policy.rules:
            for cond in (*conditions(rule.when), *conditions(rule.unless)):
                for name, bucket in found.items():
                    value = getattr(cond, name)
                    if value is not None:
                        bucket.update(value if isinstance(value, list) else [value])
    return found


def _projection(agency: Agency, tested: set[str], values: dict[str, set[str]]) -> dict[str, Any]:
    projected: dict[str, Any] = {"type": agency.type}
    if "requester_department" in tested:
        projected["department"] = agency.department
    if "requester_tags" in tested:
        projected["tags"] = frozenset(agency.tags) & values["requester_tags"]
    if "requester_state" in tested:
        named = agency.state in values["requester_state"]
        projected["state"] = agency.state if named else None
    if "requester_ori" in tested:
        patterns = values["requester_ori"]
        projected["ori"] = frozenset(p for p in patterns if fnmatch.fnmatchcase(agency.ori, p))
    return projected


def _qualifier(name: str, value: Any, values: dict[str, set[str]]) -> str:
    if name == "tags":
        return (
            "+".join(sorted(value)) if value else "no " + "/".join(sorted(values["requester_tags"]))
        )
    if name == "state":
        return f"from {value}" if value else "from elsewhere"
    if name == "ori":
        return "ORI " + "|".join(sorted(value)) if value else "other ORIs"
    return f"{name} {value}"


def requester_classes(
    directory: Directory, tested: set[str], values: dict[str, set[str]]
) -> dict[str, tuple[RequesterClass, list[Agency]]]:
    """Label -> (class, every agency in it)."""
    groups: dict[tuple[str, tuple[tuple[str, Any], ...]], list[Agency]] = {}
    for agency in directory:
        base = agency.component or agency.type
        projected = tuple(sorted(_projection(agency, tested, values).items()))
        groups.setdefault((base, projected), []).append(agency)
    by_base: dict[str, list[dict[str, Any]]] = {}
    for base, projected in groups:
        by_base.setdefault(base, []).append(dict(projected))
    classes: dict[str, tuple[RequesterClass, list[Agency]]] = {}
    for (base, projected), agencies in groups.items():
        siblings = by_base[base]
        # Qualify only by what tells this class from others of the same label.
        qualifiers = [
            _qualifier(name, value, values)
            for name, value in projected
            if any(sibling[name] != value for sibling in siblings)
        ]
        label = base + (f" [{', '.join(qualifiers)}]" if qualifiers else "")
        classes[label] = (RequesterClass(label, base, agencies[0]), agencies)
    return dict(sorted(classes.items(), key=lambda item: item[1][0].sort_key))


def _stand_in(agencies: list[Agency], state: str, in_state: bool, twin: bool) -> Agency | None:
    for agency in agencies:
        if (agency.state == state) == in_state:
            return agency
    if not twin:
        return None
    # No such agency in the directory: its twin on the other side stands in;
    # only the requester's state changes, which is what `in_state` tests.
    other = next(s for s in sorted(JURISDICTIONS) if s != state)
    return replace(agencies[0], state=state if in_state else other)


@dataclass(frozen=True, slots=True)
class _Varying:
    """The optional dimensions; None where no rule tests them."""

    reasons: tuple[str, ...] | None
    images: tuple[bool, ...] | None
    times: tuple[datetime, ...] | None


def _model(policy: CompiledPolicy) -> PolicyFile:
    rules = [rule.spec for rule in policy.rules]
    return PolicyFile.model_construct(state=policy.state, title=policy.title, rules=rules)


def build_space(
    directory: Directory,
    policies: Iterable[CompiledPolicy | None],
    state: str,
    *,
    only: Iterable[str] | None = None,
) -> Space:
    """Every class of request to `state` the given policies can tell apart,
    on both sides of the state line; `only` keeps requesters of these bases."""
    models = [_model(p) for p in policies if p is not None]
    tested = tested_attributes(models)
    classes = requester_classes(directory, tested, tested_values(models))
    if only is not None:
        wanted = set(only)
        classes = {k: v for k, v in classes.items() if v[0].base in wanted}
    varying = _Varying(
        reasons=REASONS if "message_reason" in tested else None,
        images=(False, True) if "message_image" in tested else None,
        times=SAMPLE_TIMES if "time" in tested else None,
    )
    domains: dict[str, tuple[Hashable, ...]] = {
        "requester": tuple(classes),
        "in_state": (True, False),
        "key": KEYS,
        "warrant": WARRANTS,
    }
    for name, domain in (("reason", varying.reasons), ("image", varying.images)):
        if domain is not None:
            domains[name] = domain
    if varying.times is not None:
        domains["time"] = varying.times
    # A twin stands in for a missing side only where no rule names requester
    # states: otherwise moving an agency across the line changes its class.
    twins = "requester_state" not in tested
    points = tuple(_points(classes, varying, state, twins))
    requesters = {label: cls for label, (cls, _) in classes.items()}
    return Space(state, tuple(d for d in DIMENSIONS if d in domains), domains, requesters, points)


def _points(
    classes: dict[str, tuple[RequesterClass, list[Agency]]],
    varying: _Varying,
    state: str,
    twins: bool,
) -> Iterator[Point]:
    combos = [
        (reason, image, at)
        for reason in varying.reasons or ("none",)
        for image in varying.images or (False,)
        for at in varying.times or SAMPLE_TIMES[:1]
    ]
    for label, (_, agencies) in classes.items():
        for in_state in (True, False):
            agency = _stand_in(agencies, state, in_state, twins)
            if agency is None:
                continue
            for key in KEYS:
                for warrant in WARRANTS:
                    for reason, image, at in combos:
                        values: list[Hashable] = [label, in_state, key, warrant]
                        values += [reason] if varying.reasons else []
                        values += [image] if varying.images else []
                        values += [at] if varying.times else []
                        request = RequestClass(agency, key, reason, image, warrant, at)
                        yield Point(tuple(values), request)
