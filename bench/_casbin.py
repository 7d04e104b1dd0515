"""The shipped policies as a pycasbin ABAC model with policy rows.

One row per (state, component, key, warrant) a rule names, lists expanded,
`*` for "any"; `unless` a single warrant level. Casbin compiles its matcher
on every call and tries it on every row, so the model is cut to what the
rows use, as a careful author would write it: a column no row constrains is
left out of the matcher, and when every state's default is permit there are
no allow rows at all and the effect is "allowed unless a deny row matches".
Otherwise the effect is deny-overrides with one allow row per state whose
default is permit. A rule using any other attribute raises `Unsupported`:
rows would need a column per attribute.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import casbin

from bench._equivalent import StateRules, Unsupported
from switch.policy import PolicyRequest
from switch.policy.model import Condition, Rule

ANY = "*"
# No warrant level is "-", so `r.warrant != p.unless` holds on rows without one.
NO_EXCEPTION = "-"
ALLOW_UNLESS_DENIED = "!some(where (p.eft == deny))"
DENY_OVERRIDES = "some(where (p.eft == allow)) && !some(where (p.eft == deny))"
# (policy column, request attribute); the state first: it rules out most rows.
COLUMNS = (("obj", "r.obj"), ("sub", "r.sub.component"), ("act", "r.act"), ("warrant", "r.warrant"))
MODEL = """
[request_definition]
r = sub, obj, act, warrant

[policy_definition]
p = obj, sub, act, warrant, unless, eft

[policy_effect]
e = {effect}

[matchers]
m = {matcher}
"""

_WHEN = {"requester_component", "message_key", "warrant"}
_UNLESS = {"warrant"}


def _listed(value: Any) -> list[str]:
    if value is None:
        return [ANY]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _check(c: Condition | None, allowed: set[str], where: str) -> None:
    used = set() if c is None else c.model_fields_set - allowed
    if used:
        raise Unsupported(f"{where}: {sorted(used)} have no column in the Casbin rows")


def _rows(rule: Rule, state: str) -> list[list[str]]:
    where = f"{state} rule {rule.id}"
    _check(rule.when, _WHEN, where)
    _check(rule.unless, _UNLESS, where)
    when = rule.when or Condition.model_construct()
    unless = _listed(rule.unless.warrant if rule.unless else None)
    if len(unless) != 1:
        raise Unsupported(f"{where}: `unless` may name one warrant level in a Casbin row")
    exception = NO_EXCEPTION if unless == [ANY] else unless[0]
    eft = "deny" if rule.effect == "deny" else "allow"
    product = itertools.product(
        _listed(when.requester_component), _listed(when.message_key), _listed(when.warrant)
    )
    return [[state, sub, act, warrant, exception, eft] for sub, act, warrant in product]


def policy_rows(states: Sequence[StateRules]) -> list[list[str]]:
    permitting = [s.state for s in states if s.default_permit]
    rows = []
    if len(permitting) < len(states):
        rows = [[state, ANY, ANY, ANY, NO_EXCEPTION, "allow"] for state in permitting]
    for s in states:
        for rule in s.rules:
            rows.extend(_rows(rule, s.state))
    return rows


def model_text(rows: Sequence[Sequence[str]]) -> str:
    """The matcher tests only the columns some row constrains."""
    tests: list[str] = []
    for i, (column, attribute) in enumerate(COLUMNS):
        values = {row[i] for row in rows}
        if values == {ANY}:
            continue
        test = f"{attribute} == p.{column}"
        tests.append(f'(p.{column} == "*" || {test})' if ANY in values else test)
    if any(row[4] != NO_EXCEPTION for row in rows):
        tests.append("r.warrant != p.unless")
    allow_rows = any(row[5] == "allow" for row in rows)
    effect = DENY_OVERRIDES if allow_rows else ALLOW_UNLESS_DENIED
    return MODEL.format(effect=effect, matcher=" && ".join(tests) or "true")


def request(r: PolicyRequest) -> tuple[Any, ...]:
    return (r.requester, r.state, r.message.key, r.warrant)


class CasbinBaseline:
    def __init__(self, states: Sequence[StateRules]) -> None:
        self.rows = policy_rows(states)
        self.model = model_text(self.rows)
        self.enforcer = casbin.Enforcer(casbin.Enforcer.new_model(text=self.model))
        if self.rows:
            self.enforcer.add_policies(self.rows)

    def enforce(self, requests: Sequence[tuple[Any, ...]]) -> list[bool]:
        enforce = self.enforcer.enforce
        return [enforce(*q) for q in requests]
