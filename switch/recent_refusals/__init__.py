"""The hub's memory of recent refusals, by subject and state.

When a state's policy refuses a query about a person to a federal requester,
the refusal is remembered under the query's subject keys (OLN, or NAM with
the normalised DOB: `switch.messages.subjects`). A rule testing
`subject.refused_to` is answered from here *before* the policy decides, as
the court registry answers for a warrant: the answer goes into `Facts`.

`RefusalIndex` is the `recent_refusals` table, which every hub on one
database shares (rows are written in the commit that audits the refusal);
`RefusalMemory` is the same index in memory, which a replay fills in time
order. Both are bounded by a time horizon and a count, the oldest going first.
"""

from switch.recent_refusals._index import DEFAULT_MAX_ENTRIES, RefusalIndex
from switch.recent_refusals._memory import RefusalMemory
from switch.recent_refusals._rows import MIN_HORIZON_HOURS, horizon_hours, refusal_items

__all__ = [
    "DEFAULT_MAX_ENTRIES",
    "MIN_HORIZON_HOURS",
    "RefusalIndex",
    "RefusalMemory",
    "horizon_hours",
    "refusal_items",
]
