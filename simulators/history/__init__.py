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

A history is written to a profile (`profiles`; `letter-2025` is shipped and
the default): besides the background it plants the side doors public
reporting describes, each a share of the refused federal immigration
queries, decided and audited like any other query. What each plant really
was goes to a ground-truth file beside the database (`truth`), never into
the audit.
"""

from simulators.history.figures import FEDERAL_QUERIES
from simulators.history.generator import HistoryGenerator, apportion
from simulators.history.plan import HistoryError, HistoryPlan, HistoryResult
from simulators.history.profiles import (
    LETTER_2025,
    PATTERNS,
    PROFILES,
    HistoryProfile,
    ProfileError,
    profile,
)
from simulators.history.truth import default_path, read_truth, write_truth
from simulators.history.writer import live_records, write_history

__all__ = [
    "FEDERAL_QUERIES",
    "LETTER_2025",
    "PATTERNS",
    "PROFILES",
    "HistoryError",
    "HistoryGenerator",
    "HistoryPlan",
    "HistoryProfile",
    "HistoryResult",
    "ProfileError",
    "apportion",
    "default_path",
    "live_records",
    "profile",
    "read_truth",
    "write_history",
    "write_truth",
]
