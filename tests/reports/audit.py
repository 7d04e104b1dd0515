"""A hand-built audit with known counts: 24 outcomes for Washington's data,
a few for other states, and notices owed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert

from switch.db.schema import audit_outcomes, notices
from switch.directory import Agency, Directory

HOSTILE_ORI = "WA9990000"
HOSTILE_NAME = "<script>alert('x')</script> [bold]& Sons[/bold]"
# The day the report is made: notices due before it are overdue.
NOW = datetime(2025, 3, 13, 9, 0, tzinfo=UTC)

PROTECT = "wa-protect-address"
# (ORI, "MM-DD HH:MM[:SS]", key, reason, decision, rule, status, redacted, shadow)
WA_ROWS: list[tuple[str, str, str, str | None, str, str | None, str, str | None, str | None]] = [
    ("VTICE0900", "03-03 09:00", "DQ", None, "deny", "wa-no-ice", "rejected", None, "deny"),
    ("VTICE0900", "03-03 10:00", "DQ", None, "deny", "wa-no-ice", "rejected", None, None),
    ("VTICE0900", "03-04 10:00", "KQ", None, "deny", "wa-no-ice", "rejected", None, None),
    ("AZHSI0100", "03-04 11:00", "DQ", "N", "deny", "wa-no-ice", "rejected", None, None),
    ("AZHSI0100", "03-05 11:00", "DQ", "N", "deny", "wa-no-ice", "rejected", None, None),
    ("AZCBP0100", "03-05 12:00", "DQ", None, "permit", PROTECT, "answered", "ADR", "deny"),
    ("AZCBP0100", "03-06 12:00", "DQ", None, "permit", PROTECT, "answered", "ADR", "deny"),
    ("AZCBP0100", "03-06 13:00", "DQ", None, "permit", PROTECT, "answered", "ADR", "permit"),
    ("ALFBI0100", "03-06 14:00", "RQ", "V", "permit", None, "answered", None, None),
    ("ALFBI0100", "03-07 14:00", "DQ", "V", "permit", None, "no_response", "ADR", None),
    ("WA0170100", "03-07 15:00", "DQ", "T", "permit", None, "answered", "ADR,SSN", None),
    ("WA0170100", "03-08 15:00", "DQ", "T", "permit", None, "answered", None, None),
    ("WA0170100", "03-08 16:00", "DQ", "T", "permit", None, "answered", None, None),
    ("WA0170100", "03-09 16:00", "DQ", "T", "permit", None, "answered", None, None),
    ("WA0170100", "03-10 08:00", "DQ", "T", "permit", None, "answered", None, None),
    ("WA0170000", "03-10 09:00", "KQ", None, "permit", None, "answered", None, None),
    ("WA0170000", "03-10 10:00", "KQ", None, "permit", None, "answered", None, None),
    ("WA0170000", "03-11 10:00", "DQ", None, "permit", None, "out_of_service", None, None),
    ("NY0140100", "03-11 11:00", "DQ", "S", "permit", PROTECT, "answered", "ADR", "permit"),
    ("NY0140100", "03-11 12:00", "DQ", "S", "permit", PROTECT, "answered", "ADR", "permit"),
    ("NY0140100", "03-11 13:00", "DNQ", None, "deny", None, "rejected", None, "permit"),
    (HOSTILE_ORI, "03-12 09:00", "DQ", None, "permit", None, "answered", None, None),
    ("TX9999999", "03-12 10:00", "RQ", None, "deny", "wa-unknown", "rejected", None, None),
    ("WA0170100", "03-12 23:59:59", "DQ", None, "permit", None, "fault", None, None),
]  # fmt: skip

CANDIDATE = "candidate-v2"
REASONS = {
    "wa-no-ice": "Keep Washington Working",
    "wa-unknown": "requester not in the directory",
}

# (state, requester ORI, created "MM-DD HH:MM", due date)
NOTICE_ROWS = [
    ("WA", "AZCBP0100", "03-05 12:00", "2025-03-10"),
    ("WA", "NY0140100", "03-10 12:00", "2025-03-13"),
    ("WA", "NY0140100", "03-12 12:00", "2025-03-17"),
    ("NY", "WA0170100", "03-06 12:00", "2025-03-01"),
]


def at(when: str) -> datetime:
    """ "MM-DD HH:MM[:SS]" in 2025, UTC."""
    return datetime.fromisoformat(f"2025-{when}").replace(tzinfo=UTC)


def directory() -> Directory:
    hostile = Agency(ori=HOSTILE_ORI, name=HOSTILE_NAME, state="WA", type="LE")
    return Directory.load().with_agencies(hostile)


def _outcome(index: int, state: str, row: tuple[Any, ...]) -> dict[str, Any]:
    ori, when, key, reason, decision, rule, status, redacted, shadow = row
    return {
        "message_id": f"m{state}{index:03d}",
        "destination": state,
        "state": state,
        "decision": decision,
        "rule": rule,
        "reason": REASONS.get(rule or ""),
        "policy_version": "enforced-v1",
        "status": status,
        "latency_ms": 1.0,
        "redacted": redacted,
        "received_at": at(when),
        "sender_ori": ori,
        "message_key": key,
        "message_reason": reason,
        "shadow_decision": shadow,
        "shadow_rule": None,
        "shadow_version": CANDIDATE if shadow else None,
    }


def seed(engine: Engine) -> None:
    """Washington's 24 outcomes, two for New York, an AM with no state."""
    outcomes = [_outcome(i, "WA", row) for i, row in enumerate(WA_ROWS)]
    others = [
        ("VTICE0900", "03-05 09:00", "DQ", None, "deny", "ny-green-light", "rejected", None, None),
        ("VTICE0900", "03-06 09:00", "DQ", None, "deny", "ny-green-light", "rejected", None, None),
    ]
    outcomes += [_outcome(i, "NY", row) for i, row in enumerate(others)]
    am = _outcome(0, "AM", ("WA0170100", "03-07 09:00", "AM", None, "permit", None,
                            "delivered", None, None))  # fmt: skip
    outcomes.append({**am, "state": None, "destination": "NY0140100"})
    owed = [
        {
            "message_id": f"n{index}",
            "state": state,
            "rule": f"{state.lower()}-notify",
            "requester_ori": ori,
            "subject": "OLN/WDL0000001",
            "created_at": at(created),
            "due_date": due,
        }
        for index, (state, ori, created, due) in enumerate(NOTICE_ROWS)
    ]
    with engine.begin() as conn:
        conn.execute(insert(audit_outcomes), outcomes)
        conn.execute(insert(notices), owed)
