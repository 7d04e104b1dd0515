"""The one place the router asks whether data may leave a state."""

from __future__ import annotations

from typing import Protocol

from switch.policy.decision import Decision, PolicyRequest


class PolicyDecider(Protocol):
    def decide(self, request: PolicyRequest) -> Decision: ...


_PERMIT = Decision(effect="permit", rule=None, reason="no policy in force", version="none")


class PermitAll:
    """What Nlets does unless a state acts: every query is answered."""

    def decide(self, request: PolicyRequest) -> Decision:
        return _PERMIT
