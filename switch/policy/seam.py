"""The one place the router asks whether data may leave a state."""

from __future__ import annotations

from typing import Protocol

from switch.policy.decision import Decision, Ruling
from switch.policy.facts import Facts


class PolicyDecider(Protocol):
    def ruling(self, state: str, facts: Facts) -> Ruling:
        """What `state`'s policies say of a message's facts (built once per
        message, whatever the number of states it goes to)."""
        ...


_PERMIT = Ruling(Decision(effect="permit", reason="no policy in force", version="none"))


class PermitAll:
    """What Nlets does unless a state acts: every query is answered."""

    def ruling(self, state: str, facts: Facts) -> Ruling:
        return _PERMIT
