"""What an equivalent policy in another engine must reproduce: the effect.

Cedar and Casbin decide permit or deny, not redactions or obligations, so the
translation keeps only the rules that can change an effect. Under
deny-overrides a state's effect is "deny if any deny rule matches, else
permit if a permit rule matches, else the default", which is exactly the
permit-unless-forbidden rule both engines apply, given a permit-all row for
each state whose default is permit. A permit rule in such a state can never
change the effect (it only adds obligations; the workload always knows the
warrant, so no rule fails closed), so it is left out; that keeps the
baselines as lean as a fair author would write them.

Anything the translators cannot express raises `Unsupported`, naming the
state and rule, so a new kind of shipped rule stops the benchmark instead of
silently comparing against a different policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from switch.policy import CompiledPolicy
from switch.policy.model import Rule


class Unsupported(Exception):
    """A shipped rule that the equivalent-policy translators cannot express."""


@dataclass(frozen=True, slots=True)
class StateRules:
    state: str
    default_permit: bool
    rules: tuple[Rule, ...]


def deciding_rules(policies: Iterable[CompiledPolicy]) -> list[StateRules]:
    """Each state's default and the rules that can change its effect."""
    found: list[StateRules] = []
    for policy in sorted(policies, key=lambda p: p.state):
        if policy.combine != "deny-overrides":
            raise Unsupported(f"{policy.state}: combine {policy.combine} is not translated")
        default_permit = policy.default.effect == "permit"
        rules = tuple(
            r.spec for r in policy.rules if not (default_permit and r.spec.effect == "permit")
        )
        found.append(StateRules(policy.state, default_permit, rules))
    return found
