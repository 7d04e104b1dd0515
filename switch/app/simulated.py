"""The simulated state DMVs a hub answers with in-process, for every state
`SWITCH_STATES` does not send over HTTP. The hub's builder hands them to
switch.destinations, which knows them only by their protocol."""

from __future__ import annotations

import functools
from collections.abc import Callable

from simulators.dmv import StateDMV
from switch.destinations.base import Destination
from switch.destinations.builtin import BuiltinDestination


@functools.cache
def shared_dmv(state: str, seed: int) -> StateDMV:
    """One simulator per (state, seed) per process: records are a pure
    function of both, so hubs in one process (tests, replicas) can share the
    name indexes instead of each building its own."""
    return StateDMV(state, seed=seed)


def simulated_states(seed: int = 0) -> Callable[[str], Destination]:
    """`builtin` for build_destinations: each state's simulated DMV of `seed`."""

    def builtin(state: str) -> Destination:
        return BuiltinDestination(shared_dmv(state, seed))

    return builtin
