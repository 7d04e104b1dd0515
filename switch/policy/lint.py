"""`switch policy check`: what validation cannot see.

Values no agency in the directory has (a misspelt component blocks no one),
and rules that can never decide — shadowed under first-match, or a permit
wholly covered by a deny under deny-overrides — found by evaluating the
policy over its whole request space rather than by comparing rule text.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from switch.directory import JURISDICTIONS, Directory
from switch.policy.compiler import CompiledPolicy
from switch.policy.engine import evaluate
from switch.policy.facts import Facts
from switch.policy.loader import LoadedPolicy, PolicyProblem, rule_line
from switch.policy.model import Condition
from switch.policy.space import _conditions, request_classes


def _values(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def unknown_values(loaded: LoadedPolicy, directory: Directory) -> Iterator[PolicyProblem]:
    agencies = list(directory)
    known = {
        "requester_component": {a.component for a in agencies if a.component},
        "requester_department": {a.department for a in agencies if a.department},
        "requester_tags": {t for a in agencies for t in a.tags},
        "requester_state": set(JURISDICTIONS) | {a.state for a in agencies},
    }
    oris = [a.ori for a in agencies]
    for rule in loaded.model.rules:
        conditions: list[Condition] = [*_conditions(rule.when), *_conditions(rule.unless)]
        for cond in conditions:
            for name, allowed in known.items():
                value = getattr(cond, name)
                for item in _values(value) if value is not None else []:
                    if item not in allowed:
                        label = name.replace("_", ".", 1)
                        yield PolicyProblem(
                            loaded.source,
                            rule_line(loaded, rule.id),
                            f"rule {rule.id}: {label} {item!r} matches no agency in the directory",
                        )
            if cond.requester_ori is not None:
                for pattern in _values(cond.requester_ori):
                    if not fnmatch.filter(oris, pattern):
                        yield PolicyProblem(
                            loaded.source,
                            rule_line(loaded, rule.id),
                            f"rule {rule.id}: requester.ori {pattern!r} matches no agency",
                        )


def never_deciding(
    loaded: LoadedPolicy, policy: CompiledPolicy, directory: Directory
) -> Iterator[PolicyProblem]:
    if not policy.rules:
        return
    deciding: set[str] = set()
    for request_class in request_classes(directory, [loaded.model], policy.state):
        decision = evaluate(policy, Facts.of(request_class.request(policy.state)))
        deciding.update(decision.rules)
        if len(deciding) == len(policy.rules):
            return
    why = (
        "an earlier rule always matches first (shadowed)"
        if policy.combine == "first-match"
        else "no request reaches it, or a deny always overrides it"
    )
    for rule in policy.rules:
        if rule.id not in deciding:
            line = rule_line(loaded, rule.id)
            yield PolicyProblem(loaded.source, line, f"rule {rule.id} can never decide: {why}")
