"""Shared fixtures of the DMV tests: a fixed date and responders built once.

Module-level rather than pytest fixtures because hypothesis tests reuse them
across examples; records depend on the date, so every DMV here is pinned.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from simulators.dmv import StateDMV
from switch.directory.jurisdictions import JURISDICTIONS

TODAY = date(2025, 11, 20)
STATES = sorted(JURISDICTIONS)

WA = StateDMV("WA", seed=0, today=TODAY)

states = st.sampled_from(STATES)
driver_indices = st.integers(min_value=0, max_value=9_999)
seeds = st.integers(min_value=0, max_value=2**32)


def mmddyy(ccyymmdd: str) -> str:
    return f"{ccyymmdd[4:6]}{ccyymmdd[6:]}{ccyymmdd[2:4]}"
