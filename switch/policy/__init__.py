"""Per-state policy: parse -> validate -> compile -> evaluate.

`PolicyStore` holds the compiled policies in force and is the router's
`PolicyDecider`; `evaluate` and `explain` are pure functions of a compiled
policy and a request's facts.
"""

from switch.policy.compiler import CompiledPolicy, compile_policy
from switch.policy.decision import Decision, Effect, Obligation, PolicyRequest
from switch.policy.engine import evaluate, explain
from switch.policy.facts import EvaluationError, Facts
from switch.policy.loader import (
    LoadedPolicy,
    PolicyError,
    PolicyProblem,
    load_policy_file,
    load_policy_text,
    policy_version,
)
from switch.policy.seam import PermitAll, PolicyDecider
from switch.policy.store import NO_POLICY, NoPolicies, PolicyStore, ReloadEvent, UnknownState

__all__ = [
    "NO_POLICY",
    "CompiledPolicy",
    "Decision",
    "Effect",
    "EvaluationError",
    "Facts",
    "LoadedPolicy",
    "NoPolicies",
    "Obligation",
    "PermitAll",
    "PolicyDecider",
    "PolicyError",
    "PolicyProblem",
    "PolicyRequest",
    "PolicyStore",
    "ReloadEvent",
    "UnknownState",
    "compile_policy",
    "evaluate",
    "explain",
    "load_policy_file",
    "load_policy_text",
    "policy_version",
]
