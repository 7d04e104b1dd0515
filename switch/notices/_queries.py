"""Reading the notices owed to subjects (the hub writes them with the audit)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update

from switch.audit import chain
from switch.audit.acts import NOTICES_SENT, Act, Actor, record_all
from switch.audit.crosscheck import notices_details
from switch.db.schema import notices

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
    engine: Engine,
    seqs: list[int],
    *,
    state: str | None = None,
    at: datetime | None = None,
    act: Act | None = None,
) -> int:
    """Record that these notices went out; returns how many changed. With
    `state`, only that state's notices (a state-scoped admin's reach). The
    marking is an admin act (`act`, or one by this OS user): one per state
    whose notices it marked, so each state's admin reads its own."""
    if not seqs:
        return 0
    sent_at = (at or datetime.now(UTC)).astimezone(UTC)
    act = act or Act(Actor.local("switch.notices.mark_sent"), NOTICES_SENT)
    asked = sorted(set(seqs))
    found = select(notices.c.seq, notices.c.state).where(
        notices.c.seq.in_(asked), notices.c.sent_at.is_(None)
    )
    if state is not None:
        found = found.where(notices.c.state == state)
    with chain.transaction(engine) as conn:
        # Under the write lock: the rows found are the rows updated.
        marked = conn.execute(found).all()
        by_state: dict[str, list[int]] = {}
        for seq, owner in marked:
            by_state.setdefault(owner, []).append(seq)
        if marked:
            conn.execute(
                update(notices)
                .where(notices.c.seq.in_([seq for seq, _ in marked]))
                .values(sent_at=sent_at)
            )
        parts: list[tuple[str | None, list[int]]] = [*sorted(by_state.items())]
        acts = []
        for n, (owner, done) in enumerate(parts or [(state, [])]):
            details = {**notices_details(done, sent_at), "marked": len(done), "asked": len(asked)}
            target = ",".join(map(str, sorted(done))) or "none"
            if n == 0:
                act.about(target, owner)
                act.note(**details)
                acts.append(act)
            else:
                acts.append(act.also(target, owner, **details))
        record_all(conn, acts)
    return len(marked)
