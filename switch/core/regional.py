"""Regional queries: which states a region code stands for, and what lower
priority means for a regional query sent without the G.

Nlets rewrites a DQG or RQG sent to a region to a DQ or RQ for each state in
it (switch.messages.model.REGIONAL_KEYS does the rewrite); a DQ or RQ sent to
a region code without the G is taken too, at lower priority.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from switch.directory.regions import Region
from switch.errors import InvalidDestination, NotAllowed
from switch.messages import render
from switch.messages.model import REGIONAL_KEYS, Message

# Lower priority, for a DQ or RQ sent to a region code without the G: Nlets
# puts it behind normal traffic. Here its legs go to the states one at a
# time, in the region's order, sharing the message's one wait, so it never
# holds more than one state's line at once and a slow state leaves the later
# ones less time; a DQG's legs go out together. The reply says
# "priority": "low".
LOW = "low"
NORMAL = "normal"
_REGIONAL = frozenset(REGIONAL_KEYS.values())


class _Answers(Protocol):
    supports: frozenset[str]


def names_region(
    message: Message, regions: Mapping[str, Region], states: Mapping[str, _Answers]
) -> bool:
    """Whether a destination is a region code (a state of that code wins)."""
    return any(dest in regions and dest not in states for dest in message.destinations)


def region_legs(
    region: Region | None, code: str, message: Message, states: Mapping[str, _Answers]
) -> list[tuple[str, str]]:
    """[(destination, state)] for each state in `region` that answers the
    message's key; each leg is named by its state, as an NL query's are."""
    if region is None:
        raise InvalidDestination(f"no such state or region {code}", render(message))
    if message.key not in _REGIONAL:
        raise NotAllowed(f"region {code} takes DQG or RQG, not {message.sent_key}", render(message))
    legs = [
        (state, state)
        for state in region.states
        if state in states and message.key in states[state].supports
    ]
    if not legs:
        raise NotAllowed(f"no state in region {code} answers {message.key}", render(message))
    return legs
