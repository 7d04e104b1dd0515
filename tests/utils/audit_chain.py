"""Audit rows written as the hub writes them, and tampering helpers, for
the hash chain's tests (tests/test_audit_chain.py, tests/test_audit_prune.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import text as sql

from switch.audit.records import AuditRecord, LateOutcomes, MailboxItem, Outcome
from switch.audit.verify import Finding, verify
from switch.audit.writer import GroupCommitWriter

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
# Days old, oldest first: two years, eighteen months, a month.
AGES = (730, 729, 540, 539, 30, 29)


def record(n: int, at: datetime, prefix: str = "m") -> AuditRecord:
    message_id = f"{prefix}{n:031d}"
    return AuditRecord(
        id=message_id,
        received_at=at,
        identity="test",
        sender_ori="NY0303000",
        message_key="DQ",
        control=f"C{n}",
        reason=None,
        destinations="WA,OR",
        fields='{"OLN": "X"}',
        outcome="routed",
        er_code=None,
        http_status=200,
        detail=None,
        raw="DQ.NY0303000.WA,OR.TXTOLN/X",
        latency_ms=n / 3,
        outcomes=[
            Outcome("WA", "WA", "permit", None, None, "v1", "answered", received_at=at),
            Outcome(
                "OR",
                "OR",
                "deny",
                "or-no-ice",
                "HB 3265",
                "v1",
                "rejected",
                flagged=1,
                received_at=at,
            ),
        ],
        mailbox=[MailboxItem("NY0303000", message_id, at, "AM", "hello", "{}")],
    )


def write(engine: Engine, entries: list[AuditRecord | LateOutcomes]) -> None:
    """Write through the group-commit writer, as the hub does."""
    writer = GroupCommitWriter(engine)
    writer.start()

    async def all_of_them() -> None:
        await asyncio.gather(*(writer.write(e) for e in entries))

    asyncio.run(all_of_them())
    writer.stop()


def run_sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(sql(statement), params)


def finding(engine: Engine) -> Finding:
    verdict = verify(engine)
    assert verdict.finding is not None, "the tampering went unnoticed"
    return verdict.finding


def write_aged(engine: Engine) -> Engine:
    """A message of each age in AGES (three rows each), with mailbox items;
    only the oldest item was read."""
    write(engine, [record(n, NOW - timedelta(days=d)) for n, d in enumerate(AGES)])
    run_sql(engine, "UPDATE mailbox SET acked_at = :t WHERE seq = 1", t=NOW)
    return engine
