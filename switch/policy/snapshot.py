"""The versions in force at one moment, prepared for evaluation, and the
decision of a state's policies on a message's facts.

A snapshot is never changed: the store puts a new one in place whole, so a
decision in flight sees one set of versions or the next, never a mix.
`decide` is a pure function of (snapshot, state, facts): no I/O, no lock,
nothing remembered; the files and the database are `sources/`' business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from switch.policy.compiler import CompiledPolicy
from switch.policy.decision import Decision, Ruling
from switch.policy.engine import evaluate
from switch.policy.facts import Facts

NO_POLICY = Decision(effect="permit", reason="no policy in force for this state", version="none")


@dataclass(frozen=True, slots=True)
class PolicySnapshot:
    # INVARIANT: the mappings are never changed once the snapshot is made;
    # `with_policy` and `refusing` make new ones.
    policies: Mapping[str, CompiledPolicy] = field(default_factory=dict)
    # Shadow mode: candidate policies decided beside the enforced ones.
    candidates: Mapping[str, CompiledPolicy] = field(default_factory=dict)
    # States with a refused file and no valid version in force: each query
    # to one is denied with its decision here (fail closed).
    failing_closed: Mapping[str, Decision] = field(default_factory=dict)

    def with_policy(self, policy: CompiledPolicy, *, candidate: bool = False) -> PolicySnapshot:
        """This snapshot with `policy` in force (or as its state's candidate)."""
        if candidate:
            return PolicySnapshot(
                self.policies, {**self.candidates, policy.state: policy}, self.failing_closed
            )
        failing = {s: d for s, d in self.failing_closed.items() if s != policy.state}
        return PolicySnapshot({**self.policies, policy.state: policy}, self.candidates, failing)

    def without_candidate(self, state: str) -> PolicySnapshot:
        """This snapshot with no candidate for `state` (it was promoted)."""
        candidates = {s: p for s, p in self.candidates.items() if s != state}
        return PolicySnapshot(self.policies, candidates, self.failing_closed)

    def refusing(self, state: str, denial: Decision) -> PolicySnapshot:
        """This snapshot with every query to `state` denied by `denial`."""
        failing = {**self.failing_closed, state: denial}
        return PolicySnapshot(self.policies, self.candidates, failing)

    def memory_hours(self) -> float:
        """The longest `subject.refused_to` window of any policy in force or
        candidate (0: none remembers): how far back the hub must look."""
        policies = (*self.policies.values(), *self.candidates.values())
        return max((p.memory_hours for p in policies), default=0.0)

    def none(self, state: str) -> Decision:
        """The decision for a state with no version in force."""
        return self.failing_closed.get(state, NO_POLICY)


def decide(snapshot: PolicySnapshot, state: str, facts: Facts) -> Ruling:
    """What `state`'s policy in force decides on `facts`, and beside it what
    its candidate would (shadow mode)."""
    policy = snapshot.policies.get(state)
    enforced = snapshot.none(state) if policy is None else evaluate(policy, facts)
    candidate = snapshot.candidates.get(state)
    if candidate is None:
        return Ruling(enforced)
    return Ruling(enforced, evaluate(candidate, facts))
