"""A year of audit history shaped like the public figures, written straight
into the audit database at bulk speed.

Nlets carried about 290 million DMV queries in the year before 1 Oct 2025,
292,114 of them from ICE and 605,116 from HSI (SPEC.md). `write_history`
scales that year by `scale` and writes one audit record and one outcome per
query, each decided by the policies given (the ones in force), so replay and
reports can be shown on a million records and more. The same plan and seed
write the same rows.

What is not public is assumed and named here: the other federal components'
volumes, the in-state share, the key and reason mix, the warrant rates.
"""

from simulators.history.figures import FEDERAL_QUERIES
from simulators.history.generator import (
    HistoryError,
    HistoryGenerator,
    HistoryPlan,
    HistoryResult,
    apportion,
)
from simulators.history.writer import live_records, write_history

__all__ = [
    "FEDERAL_QUERIES",
    "HistoryError",
    "HistoryGenerator",
    "HistoryPlan",
    "HistoryResult",
    "apportion",
    "live_records",
    "write_history",
]
