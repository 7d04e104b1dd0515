"""Per-state policy: the decision seam and the decision record."""

from switch.policy.decision import Decision, Effect, PolicyRequest
from switch.policy.seam import PermitAll, PolicyDecider

__all__ = ["Decision", "Effect", "PermitAll", "PolicyDecider", "PolicyRequest"]
