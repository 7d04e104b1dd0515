"""The mixed request set: seeded, so every run decides the same requests.

Requesters come from the whole directory, with the immigration components
weighted up to `IMMIGRATION_SHARE` of requests so the blocking states' rules
fire often; destinations are spread over every jurisdiction.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from switch.directory import Directory
from switch.directory.model import Agency
from switch.messages.model import Message
from switch.policy import PolicyRequest

IMMIGRATION = frozenset({"ICE-ERO", "ICE-HSI", "CBP"})
IMMIGRATION_SHARE = 0.15
KEYS = {"DQ": 40, "DNQ": 15, "RQ": 30, "RNQ": 5, "KQ": 10}
WARRANTS = {"none": 70, "cited": 10, "administrative": 10, "judicial": 10}
REASONS = "NFVTSH"
# A fixed week, so `time:` rules (if any appear) see every weekday and hour.
WEEK_START = datetime(2025, 11, 3, tzinfo=UTC)


def _fields(rng: random.Random, key: str, warrant: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    if key in ("DQ", "KQ") and rng.random() < 0.7:
        fields["OLN"] = f"{rng.randrange(10**8):08d}"
    elif key in ("DQ", "DNQ", "KQ", "RNQ"):
        fields.update(NAM="DOE,JANE", DOB=f"19{rng.randrange(40, 99)}0101", SEX="F")
    elif rng.random() < 0.8:
        fields["LIC"] = f"ABC{rng.randrange(10**4):04d}"
    else:
        fields["VIN"] = "1HGCM82633A004352"
    if key in ("DQ", "DNQ", "KQ") and rng.random() < 0.3:
        fields["IMQ"] = rng.choice("YN")
    if rng.random() < 0.6:
        fields["RSN"] = rng.choice(REASONS)
    if warrant != "none":
        fields["WRT"] = f"WRT-{rng.randrange(10**6):06d}"
    return fields


def mixed_requests(directory: Directory, count: int, seed: int) -> list[PolicyRequest]:
    rng = random.Random(seed)
    agencies = list(directory)
    immigration = [a for a in agencies if a.component in IMMIGRATION]
    others = [a for a in agencies if a.component not in IMMIGRATION]
    states = directory.states()
    keys, key_weights = list(KEYS), list(KEYS.values())
    warrants, warrant_weights = list(WARRANTS), list(WARRANTS.values())
    requests: list[PolicyRequest] = []
    for _ in range(count):
        pool = immigration if rng.random() < IMMIGRATION_SHARE else others
        requester: Agency = rng.choice(pool)
        state = rng.choice(states)
        key = rng.choices(keys, key_weights)[0]
        warrant = rng.choices(warrants, warrant_weights)[0]
        message = Message(key, requester.ori, (state,), _fields(rng, key, warrant))
        at = WEEK_START + timedelta(seconds=rng.randrange(7 * 24 * 3600))
        requests.append(PolicyRequest(requester, state, message, warrant, at))
    return requests


def grid_requests(directory: Directory) -> list[PolicyRequest]:
    """Each kind of requester (department, component, type, tags) against every
    state, key and warrant level: for checking the baselines' decisions, untimed."""
    rng = random.Random(0)
    kinds: dict[tuple[object, ...], Agency] = {}
    for agency in directory:
        kinds.setdefault((agency.department, agency.component, agency.type, agency.tags), agency)
    requests: list[PolicyRequest] = []
    for requester in kinds.values():
        for state in directory.states():
            for key in KEYS:
                for warrant in WARRANTS:
                    fields = _fields(rng, key, warrant)
                    message = Message(key, requester.ori, (state,), fields)
                    requests.append(PolicyRequest(requester, state, message, warrant, WEEK_START))
    return requests
