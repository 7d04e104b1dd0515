"""Simulated state DMVs: one in-process responder per jurisdiction.

>>> from simulators.dmv import builtin_dmvs
>>> wa = builtin_dmvs()["WA"]
>>> hit = wa.answer("DQ", {"OLN": wa.driver(42)["OLN"]})
>>> hit.key, hit.records[0]["NAM"] == wa.driver(42)["NAM"]
('DR', True)
>>> wa.answer("DQ", {"OLN": "NOSUCHOLN"}).not_on_file
True
"""

from __future__ import annotations

from datetime import date

from simulators.dmv.responder import MAX_CANDIDATES, DMVAnswer, Record, StateDMV
from switch.directory.jurisdictions import JURISDICTIONS

__all__ = ["MAX_CANDIDATES", "DMVAnswer", "Record", "StateDMV", "builtin_dmvs"]


def builtin_dmvs(seed: int = 0, *, today: date | None = None) -> dict[str, StateDMV]:
    """A DMV for every jurisdiction; records are derived only when queried."""
    return {state: StateDMV(state, seed=seed, today=today) for state in JURISDICTIONS}
