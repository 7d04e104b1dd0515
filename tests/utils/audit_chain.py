"""Audit rows written as the hub writes them, and tampering helpers, for
the hash chain's tests (tests/audit/test_chain.py, tests/audit/test_prune.py)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy import text as sql

from switch.audit import chain
from switch.audit.records import AuditRecord, LateOutcomes, MailboxItem, Outcome
from switch.audit.signing import AuditKey, PublicKeys, load_or_create
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


def audit_key(folder: Path) -> AuditKey:
    """An audit key of the test's own, made in `folder`."""
    return load_or_create(folder / "audit-key.pem")


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


def finding(engine: Engine, keys: PublicKeys | None = None) -> Finding:
    verdict = verify(engine, keys=keys)
    assert verdict.finding is not None, "the tampering went unnoticed"
    return verdict.finding


def write_aged(engine: Engine) -> Engine:
    """A message of each age in AGES (three rows each), with mailbox items;
    only the oldest item was read."""
    write(engine, [record(n, NOW - timedelta(days=d)) for n, d in enumerate(AGES)])
    run_sql(engine, "UPDATE mailbox SET acked_at = :t WHERE seq = 1", t=NOW)
    return engine


# -- what someone with write access to the database alone can do ----------------


def _hash_at(conn: Any, pos: int) -> str:
    found = conn.execute(
        sql(
            "SELECT chain_hash FROM audit_records WHERE chain_pos = :p UNION ALL "
            "SELECT chain_hash FROM audit_outcomes WHERE chain_pos = :p"
        ),
        {"p": pos},
    ).scalar_one()
    return str(found)


def forge_prune(engine: Engine, upto: int) -> str:
    """Delete chain positions 1 to `upto`, append a `pruned` anchor saying the
    chain starts after them, linked as the hub links, and move the head: what
    verify took for a prune. The anchor's message id."""
    with chain.transaction(engine) as conn:
        start_hash = _hash_at(conn, upto)
        for table in chain.CHAINED:
            conn.execute(sql(f"DELETE FROM {table} WHERE chain_pos <= :p"), {"p": upto})
        detail = {
            "action": "prune",
            "before": NOW.isoformat(),
            "by": "cli/admin",
            "at": NOW.isoformat(),
            "positions": [1, upto],
            "records": upto // 3,
            "outcomes": upto - upto // 3,
            "start_pos": upto + 1,
            "start_hash": start_hash,
        }
        anchor: dict[str, Any] = {
            "id": "forged" + "0" * 26,
            "received_at": NOW,
            "identity": "cli/admin",
            "outcome": "pruned",
            "http_status": 0,
            "detail": json.dumps(detail, sort_keys=True),
            "latency_ms": 0.0,
        }
        anchor.update({c: None for c in chain.hashed_columns("audit_records") if c not in anchor})
        chain.append(conn, [("audit_records", anchor)])
        conn.execute(
            sql("UPDATE audit_chain_head SET start_pos = :p, start_hash = :h"),
            {"p": upto + 1, "h": start_hash},
        )
    return str(anchor["id"])


def cut_tail(engine: Engine, keep: int) -> None:
    """Delete every chain position after `keep` and move the head back to it."""
    with engine.begin() as conn:
        digest = _hash_at(conn, keep)
        for table in chain.CHAINED:
            conn.execute(sql(f"DELETE FROM {table} WHERE chain_pos > :p"), {"p": keep})
        conn.execute(
            sql("UPDATE audit_chain_head SET pos = :p, hash = :h"), {"p": keep, "h": digest}
        )


def rewrite_from(engine: Engine, pos: int) -> None:
    """Change the record at chain position `pos` (now from WA) and recompute
    every link after it, and the head's: the chain still walks."""
    run_sql(engine, "UPDATE audit_records SET sender_ori = 'WAOLN0000' WHERE chain_pos = :p", p=pos)
    relink(engine, pos)


def relink(engine: Engine, pos: int) -> None:
    """Recompute every link from chain position `pos` on, and the head's, as
    someone who changed rows there would."""
    with engine.begin() as conn:
        head = conn.execute(sql("SELECT pos, start_pos, start_hash FROM audit_chain_head")).one()
        previous = _hash_at(conn, pos - 1) if pos > head.start_pos else head.start_hash
        for at in range(pos, head.pos + 1):
            for name, table in chain.CHAINED.items():
                row = conn.execute(select(table).where(table.c.chain_pos == at)).mappings().first()
                if row is not None:
                    previous = chain.link(previous, chain.content(name, dict(row)))
                    conn.execute(
                        table.update().where(table.c.chain_pos == at).values(chain_hash=previous)
                    )
        conn.execute(sql("UPDATE audit_chain_head SET hash = :h"), {"h": previous})
