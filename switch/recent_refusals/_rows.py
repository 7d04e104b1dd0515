"""Which refusals are remembered, and for how long."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from switch.audit.records import RefusalItem
from switch.directory.model import Agency
from switch.policy.decision import Decision

# The index keeps at least a day even when no rule reads it, so a rule put
# in force later already sees the last day's refusals.
MIN_HORIZON_HOURS = 24.0


def horizon_hours(memory_hours: float) -> float:
    """How long refusals are kept: the longest window any policy asks for,
    and never less than `MIN_HORIZON_HOURS`."""
    return max(memory_hours, MIN_HORIZON_HOURS)


def refusal_items(
    message_id: str,
    requester: Agency,
    subjects: tuple[str, ...],
    at: datetime,
    decided: Iterable[tuple[str | None, Decision]],
) -> list[RefusalItem]:
    """The index rows of one message: a row per subject key and refusing
    state. Only federal requesters' refusals (a rule names components) of
    queries that name someone are kept; `decided` is (state, enforced
    decision) per destination."""
    component = requester.component
    if component is None or not subjects:
        return []
    states = dict.fromkeys(s for s, d in decided if s is not None and d.effect == "deny")
    return [
        RefusalItem(subject, state, at, message_id, requester.ori, component)
        for state in states
        for subject in subjects
    ]
