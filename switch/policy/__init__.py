"""Per-state policy: parse -> validate -> compile -> evaluate.

`PolicyStore` holds the snapshot of the compiled policies in force and is
the router's `PolicyDecider`; `decide`, `evaluate` and `explain` are pure
functions of a snapshot or compiled policy and a message's facts. Files and
the database are read and written in `sources/`, never while deciding.
"""

from switch.policy.compiler import CompiledPolicy, compile_policy
from switch.policy.decision import (
    Decision,
    Effect,
    Obligation,
    PolicyRequest,
    Ruling,
    obligation_words,
)
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
from switch.policy.snapshot import NO_POLICY, PolicySnapshot, decide
from switch.policy.store import NoPolicies, PolicyStore, ReloadEvent, UnknownState

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
    "PolicySnapshot",
    "PolicyStore",
    "ReloadEvent",
    "Ruling",
    "UnknownState",
    "compile_policy",
    "decide",
    "evaluate",
    "explain",
    "load_policy_file",
    "load_policy_text",
    "obligation_words",
    "policy_version",
]
