"""Background traffic for the demo: local agencies and federal components
querying states, most queries hitting a real record, and a steady share of
federal queries to the states whose policies refuse them, so the live part
shows the refusals the narration explained."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from simulators.dmv import StateDMV
from switch.directory import Directory
from switch.policy.requests import probe_request
from switch.policy.store import PolicyStore

# What each message of a cycle is. A refused query comes second, so even a
# short demo shows one, and one in six after that.
CYCLE = ("local", "refused", "local", "federal", "local", "local")


def refused_queries(directory: Directory, policies: PolicyStore) -> list[tuple[str, str]]:
    """(federal ORI, state) pairs whose plain DQ the state's policy refuses,
    as the policies in force decide it."""
    federal = [a.ori for a in directory if a.component is not None]
    return [
        (ori, state)
        for ori in federal
        for state in directory.states()
        if not policies.decide(probe_request(directory, state=state, ori=ori)).permitted
    ]


def random_messages(
    directory: Directory, *, refused: Sequence[tuple[str, str]] = (), seed: int = 0
) -> Iterator[tuple[str, str]]:
    """Endless (sender ORI, text) pairs; deterministic for a seed. `refused`:
    (federal ORI, state) pairs to draw the refused share from (none: no
    such share)."""
    rng = random.Random(seed)
    local = [a.ori for a in directory if a.type in ("PD", "SO", "SA") and a.component is None]
    federal = [a.ori for a in directory if a.component is not None]
    states = directory.states()
    dmvs: dict[str, StateDMV] = {}
    number = 0
    while True:
        number += 1
        kind = CYCLE[(number - 1) % len(CYCLE)]
        control = f"*T{number % 100000:05d}."
        if kind == "refused" and refused:
            ori, refusing = rng.choice(refused)
            oln = dmvs.setdefault(refusing, StateDMV(refusing)).driver(rng.randrange(10_000))["OLN"]
            yield ori, f"DQ.{ori}.{refusing}.{control}TXTOLN/{oln}"
            continue
        sender = rng.choice(federal if kind != "local" else local)
        agency = directory.get(sender)
        # Most local traffic stays in state, as it does on Nlets.
        state = agency.state if agency and agency.state in states and rng.random() < 0.6 else None
        state = state or rng.choice(states)
        dmv = dmvs.setdefault(state, StateDMV(state))
        index = rng.randrange(10_000 if rng.random() < 0.8 else 20_000)
        if rng.random() < 0.75:
            oln = dmv.driver(index)["OLN"] if index < 10_000 else f"X{index}"
            yield sender, f"DQ.{sender}.{state}.{control}TXTOLN/{oln}"
        else:
            vehicle = dmv.vehicle(index % 10_000)
            yield sender, f"RQ.{sender}.{state}.{control}TXTLIC/{vehicle['LIC']}"
