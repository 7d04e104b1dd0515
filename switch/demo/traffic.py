"""Background traffic for the demo: local agencies and federal components
querying states, most queries hitting a real record."""

from __future__ import annotations

import random
from collections.abc import Iterator

from simulators.dmv import StateDMV
from switch.directory import Directory


def random_messages(directory: Directory, *, seed: int = 0) -> Iterator[tuple[str, str]]:
    """Endless (sender ORI, text) pairs; deterministic for a seed."""
    rng = random.Random(seed)
    senders = [a.ori for a in directory if a.type in ("PD", "SO", "SA") or a.component is not None]
    states = directory.states()
    dmvs: dict[str, StateDMV] = {}
    number = 0
    while True:
        number += 1
        sender = rng.choice(senders)
        agency = directory.get(sender)
        # Most local traffic stays in state, as it does on Nlets.
        state = agency.state if agency and agency.state in states and rng.random() < 0.6 else None
        state = state or rng.choice(states)
        dmv = dmvs.setdefault(state, StateDMV(state))
        index = rng.randrange(10_000 if rng.random() < 0.8 else 20_000)
        control = f"*T{number % 100000:05d}."
        if rng.random() < 0.75:
            oln = dmv.driver(index)["OLN"] if index < 10_000 else f"X{index}"
            yield sender, f"DQ.{sender}.{state}.{control}TXTOLN/{oln}"
        else:
            vehicle = dmv.vehicle(index % 10_000)
            yield sender, f"RQ.{sender}.{state}.{control}TXTLIC/{vehicle['LIC']}"
