"""Mock state DMVs as real HTTP services, for integration tests and training.

A mock state answers the switch's `POST /v1/query` from a simulated DMV
(deterministic records for its seed) and from records a test puts in; it
shows faults on demand (latency, jitter, errors, timeouts, resets, malformed
replies, out of service), each with a probability; it keeps a journal of
every query it received. All of it is driven through an admin API under
`/admin`, or from Python::

    from simulators.mockstate import running_state

    with running_state("WA") as (url, control):
        control.add_records(drivers=[{"OLN": "WDLTEST00001", "NAM": "DOE,JOHN"}])
        control.set_faults({"type": "latency", "params": {"ms": 200}})
        ...  # point a hub at url (SWITCH_STATES="WA=" + url) and send
        control.assert_received(key="DQ", ori="NY0303000")

From the shell: `switch sim state WA --port 9001` (or `python -m
simulators.mockstate WA --port 9001`).
"""

from simulators.mockstate._app import create_app
from simulators.mockstate._control import MockStateControl
from simulators.mockstate._errors import (
    AdminError,
    FaultSpecError,
    MockStateError,
    RecordsFileError,
)
from simulators.mockstate._faults import (
    ErrorFault,
    Fault,
    FaultPlan,
    JitterFault,
    LatencyFault,
    MalformedFault,
    OutOfServiceFault,
    ResetFault,
    TimeoutFault,
    fault_from,
    load_faults,
    parse_fault,
)
from simulators.mockstate._journal import Answer, JournalEntry
from simulators.mockstate._records import RecordSet, load_records
from simulators.mockstate._server import running_state, serve
from simulators.mockstate._service import MockState

__all__ = [
    "AdminError",
    "Answer",
    "ErrorFault",
    "Fault",
    "FaultPlan",
    "FaultSpecError",
    "JitterFault",
    "JournalEntry",
    "LatencyFault",
    "MalformedFault",
    "MockState",
    "MockStateControl",
    "MockStateError",
    "OutOfServiceFault",
    "RecordSet",
    "RecordsFileError",
    "ResetFault",
    "TimeoutFault",
    "create_app",
    "fault_from",
    "load_faults",
    "load_records",
    "parse_fault",
    "running_state",
    "serve",
]
