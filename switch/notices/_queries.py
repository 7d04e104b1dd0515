"""Reading the notices owed to subjects (the hub writes them with the audit)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update

from switch.audit.schema import notices

DEFAULT_LIMIT = 100


def _iso(moment: datetime) -> str:
    # SQLite hands back naive datetimes for what was stored as UTC.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def list_notices(
    engine: Engine, state: str | None = None, limit: int = DEFAULT_LIMIT
) -> list[dict[str, Any]]:
    """The newest notices first, all states' or one state's."""
    query = select(notices).order_by(notices.c.seq.desc()).limit(limit)
    if state is not None:
        query = query.where(notices.c.state == state.strip().upper())
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "seq": row.seq,
            "message_id": row.message_id,
            "state": row.state,
            "rule": row.rule,
            "requester_ori": row.requester_ori,
            "subject": row.subject,
            "created_at": _iso(row.created_at),
            "due_date": row.due_date,
            "sent_at": _iso(row.sent_at) if row.sent_at is not None else None,
        }
        for row in rows
    ]


def mark_sent(
    engine: Engine, seqs: list[int], *, state: str | None = None, at: datetime | None = None
) -> int:
    """Record that these notices went out; returns how many changed. With
    `state`, only that state's notices (a state-scoped admin's reach)."""
    if not seqs:
        return 0
    query = (
        update(notices)
        .where(notices.c.seq.in_(seqs), notices.c.sent_at.is_(None))
        .values(sent_at=at or datetime.now(UTC))
    )
    if state is not None:
        query = query.where(notices.c.state == state)
    with engine.begin() as conn:
        return conn.execute(query).rowcount
