"""Group commit: every write is committed before it returns, many writes share
a transaction, and a database fault reaches every waiter."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from switch.audit.records import AuditRecord, MailboxItem, Outcome, new_message_id
from switch.audit.writer import AuditUnavailable, GroupCommitWriter
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_outcomes, audit_records, mailbox


def _record(n: int = 0) -> AuditRecord:
    message_id = new_message_id()
    now = datetime.now(UTC)
    return AuditRecord(
        id=message_id,
        received_at=now,
        identity="test",
        sender_ori="NY0303000",
        message_key="DQ",
        control=f"C{n}",
        reason="none",
        destinations="WA",
        fields='{"OLN": "X"}',
        outcome="routed",
        er_code=None,
        http_status=200,
        detail=None,
        raw="DQ.NY0303000.WA.TXTOLN/X",
        latency_ms=0.5,
        outcomes=[Outcome("WA", "WA", "permit", None, None, "none", "answered")],
        mailbox=[MailboxItem("WA0340000", message_id, now, "AM", "hello", "{}")],
    )


def test_write_returns_only_after_commit(database_url: str) -> None:
    engine = open_engine(database_url)
    migrate(engine)
    writer = GroupCommitWriter(engine)
    writer.start()
    record = _record()
    asyncio.run(writer.write(record))
    # A separate engine sees it: committed, not merely flushed.
    reader = open_engine(database_url)
    with reader.connect() as conn:
        assert (
            conn.execute(
                select(audit_records.c.id).where(audit_records.c.id == record.id)
            ).scalar_one()
            == record.id
        )
        assert conn.execute(select(func.count()).select_from(audit_outcomes)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(mailbox)).scalar_one() == 1
    writer.stop()
    reader.dispose()
    engine.dispose()


def test_concurrent_writes_share_transactions(database_url: str) -> None:
    engine = open_engine(database_url)
    migrate(engine)
    writer = GroupCommitWriter(engine)
    writer.start()

    async def burst() -> None:
        await asyncio.gather(*(writer.write(_record(n)) for n in range(300)))

    asyncio.run(burst())
    writer.stop()
    assert writer.records == 300
    assert writer.batches < 300
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_records)).scalar_one() == 300
    engine.dispose()


def test_database_fault_fails_every_waiter(database_url: str) -> None:
    engine = open_engine(database_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE audit_outcomes"))
    writer = GroupCommitWriter(engine)
    writer.start()

    async def burst() -> list[BaseException | None]:
        return await asyncio.gather(
            *(writer.write(_record(n)) for n in range(5)), return_exceptions=True
        )

    results = asyncio.run(burst())
    writer.stop()
    assert all(isinstance(r, AuditUnavailable) for r in results)
    with engine.connect() as conn:
        # The failed transaction left nothing half-written.
        assert conn.execute(select(func.count()).select_from(audit_records)).scalar_one() == 0
    engine.dispose()


def test_writer_refuses_after_stop(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    writer = GroupCommitWriter(engine)
    writer.start()
    writer.stop()
    with pytest.raises(AuditUnavailable):
        asyncio.run(writer.write(_record()))
    engine.dispose()
