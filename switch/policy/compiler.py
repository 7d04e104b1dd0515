"""Compile a validated policy into predicates, once per version.

A condition becomes a tree of `Node`s. The tree serves two masters: `check`
is the fast path (a closure per node, no tracing), `trace` is the explain
path (every test with the value it saw). Both come from the same tree, so
what is explained is what is enforced.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from switch.policy.decision import Decision, EnforcedAt, Obligation
from switch.policy.facts import Facts
from switch.policy.loader import LoadedPolicy
from switch.policy.model import Condition, NotifyObligation, RefusedTo, Rule, TimeWindow
from switch.policy.refusals import latest_refusal
from switch.policy.timezones import zone

Check = Callable[[Facts], bool]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Node:
    """One test, or `not` / `any` / `all` over tests."""

    op: str  # "test" | "not" | "any" | "all"
    check: Check
    attribute: str | None = None
    expected: Any = None
    actual: Callable[[Facts], Any] | None = None
    children: tuple[Node, ...] = ()

    def trace(self, facts: Facts) -> dict[str, Any]:
        if self.op == "test":
            assert self.actual is not None
            return {
                "test": self.attribute,
                "expected": self.expected,
                "actual": self.actual(facts),
                "result": self.check(facts),
            }
        children = [child.trace(facts) for child in self.children]
        return {"op": self.op, "result": self.check(facts), "children": children}


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _membership(attribute: str, get: Callable[[Facts], Any], value: Any) -> Node:
    allowed = frozenset(_values(value))
    if len(allowed) == 1:
        (only,) = allowed
        return Node("test", lambda f: get(f) == only, attribute, value, get)
    return Node("test", lambda f: get(f) in allowed, attribute, value, get)


def _ori(value: Any) -> Node:
    patterns = _values(value)
    exact = frozenset(p for p in patterns if not any(c in p for c in "*?"))
    globs = [p for p in patterns if p not in exact]
    regex = re.compile("|".join(fnmatch.translate(g) for g in globs)) if globs else None

    def check(f: Facts) -> bool:
        return f.ori in exact or (regex is not None and regex.match(f.ori) is not None)

    return Node("test", check, "requester.ori", value, lambda f: f.ori)


def _time(window: TimeWindow, state: str) -> Node:
    tz = zone(state)
    days = frozenset(WEEKDAYS.index(d) for d in window.weekdays or WEEKDAYS)
    start, end = (int(h) for h in (window.hours or "00-24").split("-"))

    def local(f: Facts) -> datetime:
        return f.at.astimezone(tz)

    def check(f: Facts) -> bool:
        at = local(f)
        return at.weekday() in days and start <= at.hour < end

    expected = window.model_dump(exclude_none=True)
    return Node("test", check, "time", expected, lambda f: local(f).strftime("%a %H:%M %Z"))


def _warrant(value: Any) -> Node:
    return _membership("warrant", lambda f: f.known_warrant(), value)


def _refused_to(spec: RefusedTo, state: str) -> Node:
    components = spec.components
    within = timedelta(hours=spec.within_hours)

    def found(f: Facts) -> dict[str, Any] | None:
        refusal = latest_refusal(f.known_refusals(), state, components, f.at, within)
        return None if refusal is None else refusal.as_dict()

    def check(f: Facts) -> bool:
        refusals = f.known_refusals()
        if not refusals:  # the common case: nothing remembered of this subject
            return False
        return latest_refusal(refusals, state, components, f.at, within) is not None

    expected = spec.model_dump()
    return Node("test", check, "subject.refused_to", expected, found)


def compile_condition(condition: Condition, state: str) -> Node:
    nodes: list[Node] = []
    c = condition
    if c.requester_ori is not None:
        nodes.append(_ori(c.requester_ori))
    if c.requester_state is not None:
        nodes.append(_membership("requester.state", lambda f: f.requester_state, c.requester_state))
    if c.requester_in_state is not None:
        nodes.append(
            _membership(
                "requester.in_state", lambda f: f.requester_state == state, c.requester_in_state
            )
        )
    if c.requester_type is not None:
        nodes.append(_membership("requester.type", lambda f: f.type, c.requester_type))
    if c.requester_department is not None:
        nodes.append(
            _membership("requester.department", lambda f: f.department, c.requester_department)
        )
    if c.requester_component is not None:
        nodes.append(
            _membership("requester.component", lambda f: f.component, c.requester_component)
        )
    if c.requester_tags is not None:
        wanted = frozenset(_values(c.requester_tags))
        nodes.append(
            Node(
                "test",
                lambda f: not wanted.isdisjoint(f.tags),
                "requester.tags",
                c.requester_tags,
                lambda f: sorted(f.tags),
            )
        )
    if c.message_key is not None:
        nodes.append(_membership("message.key", lambda f: f.key, c.message_key))
    if c.message_reason is not None:
        nodes.append(_membership("message.reason", lambda f: f.reason, c.message_reason))
    if c.message_image is not None:
        nodes.append(_membership("message.image", lambda f: f.image, c.message_image))
    if c.warrant is not None:
        nodes.append(_warrant(c.warrant))
    if c.subject_refused_to is not None:
        nodes.append(_refused_to(c.subject_refused_to, state))
    if c.time is not None:
        nodes.append(_time(c.time, state))
    if c.not_ is not None:
        inner = compile_condition(c.not_, state)
        nodes.append(Node("not", lambda f: not inner.check(f), children=(inner,)))
    if c.any is not None:
        nodes.append(_any([compile_condition(x, state) for x in c.any]))
    if c.all is not None:
        nodes.append(_all([compile_condition(x, state) for x in c.all]))
    return nodes[0] if len(nodes) == 1 else _all(nodes)


def _all(nodes: Sequence[Node]) -> Node:
    checks = tuple(n.check for n in nodes)

    def check(f: Facts) -> bool:
        # A plain loop: all() over a generator costs a frame per call here.
        for c in checks:  # noqa: SIM110
            if not c(f):
                return False
        return True

    return Node("all", check, children=tuple(nodes))


def _any(nodes: Sequence[Node]) -> Node:
    checks = tuple(n.check for n in nodes)

    def check(f: Facts) -> bool:
        for c in checks:  # noqa: SIM110
            if c(f):
                return True
        return False

    return Node("any", check, children=tuple(nodes))


@dataclass(frozen=True, slots=True)
class CompiledRule:
    position: int
    spec: Rule
    when: Node | None
    unless: Node | None
    # What the index may use to skip the rule: None means "any value".
    components: frozenset[str] | None
    keys: frozenset[str] | None
    # The decision when this rule alone decides.
    decision: Decision

    @property
    def id(self) -> str:
        return self.spec.id

    def matches(self, facts: Facts) -> bool:
        if self.when is not None and not self.when.check(facts):
            return False
        return self.unless is None or not self.unless.check(facts)


def obligations_of(rule: Rule) -> tuple[Obligation, ...]:
    made: list[Obligation] = []
    for spec in rule.obligations:
        if isinstance(spec, NotifyObligation):
            made.append(Obligation("notify_subject", spec.notify_subject.within_business_days))
        else:
            made.append(Obligation(spec))
    return tuple(made)


def _compile_rule(
    position: int, rule: Rule, state: str, version: str, enforced_at: EnforcedAt
) -> CompiledRule:
    when = rule.when
    components = (
        frozenset(_values(when.requester_component)) if when and when.requester_component else None
    )
    keys = frozenset(_values(when.message_key)) if when and when.message_key else None
    reason = rule.reason or ("permitted by rule " + rule.id if rule.effect == "permit" else None)
    decision = Decision(
        effect=rule.effect,
        rules=(rule.id,),
        reason=reason,
        version=version,
        redact=tuple(rule.redact),
        obligations=obligations_of(rule),
        enforced_at=enforced_at,
        warrant_wanted=warrants_named(rule),
    )
    return CompiledRule(
        position=position,
        spec=rule,
        when=compile_condition(when, state) if when else None,
        unless=compile_condition(rule.unless, state) if rule.unless else None,
        components=components,
        keys=keys,
        decision=decision,
    )


# The index's place for a component or key no rule names.
_OTHER = "\0other"
Index = Mapping[str | None, Mapping[str, tuple[CompiledRule, ...]]]


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    state: str
    title: str
    version: str
    source: str
    combine: str
    default: Decision
    rules: tuple[CompiledRule, ...]
    text: str
    # component -> key -> the rules that could match, built with the policy;
    # _OTHER stands for any component or key no rule names.
    # INVARIANT: never changed after compile_policy, so any number of
    # decisions may read it at once.
    index: Index
    # The longest `subject.refused_to` window any rule asks for, in hours
    # (0: no rule remembers): how far back the index must look for it.
    memory_hours: float = 0.0
    # Where the policy is enforced (policies' `enforced_at`): every decision
    # it makes carries it, so a denial is refused there.
    enforced_at: EnforcedAt = "nlets"

    def candidates(self, component: str | None, key: str) -> tuple[CompiledRule, ...]:
        index = self.index
        by_key = index.get(component) or index[_OTHER]
        found = by_key.get(key)
        return by_key[_OTHER] if found is None else found


def _index(rules: tuple[CompiledRule, ...]) -> Index:
    """Every (component, key) a rule names, and _OTHER for the rest: a
    lookup for any request, with no rule skipped that could match it."""
    components: set[str | None] = {_OTHER}
    keys = {_OTHER}
    for rule in rules:
        components.update(rule.components or ())
        keys.update(rule.keys or ())

    def could_match(rule: CompiledRule, component: str | None, key: str) -> bool:
        return (rule.components is None or component in rule.components) and (
            rule.keys is None or key in rule.keys
        )

    return {
        component: {key: tuple(r for r in rules if could_match(r, component, key)) for key in keys}
        for component in components
    }


def compile_policy(loaded: LoadedPolicy) -> CompiledPolicy:
    model = loaded.model
    where = model.enforced_at
    rules = tuple(
        _compile_rule(i, rule, model.state, loaded.version, where)
        for i, rule in enumerate(model.rules)
    )
    default = Decision(
        effect=model.default,
        reason=f"no rule matched; {model.state} default is {model.default}",
        version=loaded.version,
        enforced_at=where,
    )
    return CompiledPolicy(
        state=model.state,
        title=model.title,
        version=loaded.version,
        source=loaded.source,
        combine=model.combine,
        default=default,
        rules=rules,
        text=loaded.text,
        index=_index(rules),
        memory_hours=memory_hours(model.rules),
        enforced_at=where,
    )


def _conditions(condition: Condition | None) -> list[Condition]:
    if condition is None:
        return []
    found = [condition, *_conditions(condition.not_)]
    for child in (condition.any or []) + (condition.all or []):
        found.extend(_conditions(child))
    return found


# Levels a warrant test can want, weakest first; `none` and `cited` are
# tests of a warrant's absence or worthlessness, not something to present.
_PRESENTABLE = ("administrative", "judicial")


def warrants_named(rule: Rule) -> tuple[str, ...]:
    """The warrant levels a rule's conditions test for: what a deny rule's
    exception wants, or what a permit rule is given for."""
    named = {
        level
        for c in (*_conditions(rule.when), *_conditions(rule.unless))
        if c.warrant is not None
        for level in _values(c.warrant)
    }
    return tuple(level for level in _PRESENTABLE if level in named)


def memory_hours(rules: Sequence[Rule]) -> float:
    """The longest `subject.refused_to` window of these rules (0: none)."""
    return max(
        (
            c.subject_refused_to.within_hours
            for rule in rules
            for c in (*_conditions(rule.when), *_conditions(rule.unless))
            if c.subject_refused_to is not None
        ),
        default=0.0,
    )
