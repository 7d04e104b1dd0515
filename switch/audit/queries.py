"""Reading the audit back: one message with its outcomes, a mailbox."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select, update

from switch.audit.public import MessagePublic
from switch.db.schema import audit_outcomes, audit_records, mailbox


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    # SQLite hands back naive times; the audit is kept in UTC on every backend.
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).isoformat()


def outcome_fields(row: Any) -> dict[str, Any]:
    """One `audit_outcomes` row, whole, as `OutcomePublic`'s fields."""
    return {
        "destination": row.destination,
        "state": row.state,
        "decision": row.decision,
        "rule": row.rule,
        "reason": row.reason,
        "policy_version": row.policy_version,
        "warrant": row.warrant,
        "status": row.status,
        "latency_ms": row.latency_ms,
        "response": json.loads(row.response) if row.response else None,
        "redacted": row.redacted.split(",") if row.redacted else [],
        "obligations": json.loads(row.obligations) if row.obligations else [],
        "refused_by": refused_by(row),
    }


def refused_by(row: Any) -> str | None:
    """Who refused an outcome's query: its `refused_by`, or, on a row from
    before that column (migration 0016), Nlets for a policy denial, the only
    place a block could then happen."""
    if row.refused_by is not None:
        return str(row.refused_by)
    return "nlets" if row.status == "rejected" and row.decision == "deny" else None


def message_fields(row: Any, outcomes: Sequence[Any]) -> dict[str, Any]:
    """An `audit_records` row and its outcome rows, as `MessagePublic`'s
    fields: plain data, validated once per message (a model per outcome
    would cost a page of NL queries a third more)."""
    return {
        "id": row.id,
        "received_at": _iso(row.received_at),
        "ori": row.sender_ori,
        "key": row.message_key,
        "control": row.control,
        "destinations": row.destinations.split(",") if row.destinations else [],
        "fields": json.loads(row.fields) if row.fields else {},
        "outcome": row.outcome,
        "er_code": row.er_code,
        "http_status": row.http_status,
        "detail": row.detail,
        "latency_ms": row.latency_ms,
        "results": [outcome_fields(o) for o in outcomes],
    }


def get_message(engine: Engine, message_id: str) -> MessagePublic | None:
    """The message whole: who may read how much of it is `switch.access.visibility`'s."""
    with engine.connect() as conn:
        row = conn.execute(select(audit_records).where(audit_records.c.id == message_id)).first()
        if row is None:
            return None
        outcomes = conn.execute(
            select(audit_outcomes)
            .where(audit_outcomes.c.message_id == message_id)
            .order_by(audit_outcomes.c.seq)
        ).all()
    return MessagePublic.model_validate(message_fields(row, outcomes))


def list_mailbox(
    engine: Engine, ori: str, limit: int = 100, *, after: int = 0
) -> list[dict[str, Any]]:
    """Unacknowledged items for `ori`, oldest first, with seq above `after`."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(mailbox)
            .where(mailbox.c.ori == ori, mailbox.c.acked_at.is_(None), mailbox.c.seq > after)
            .order_by(mailbox.c.seq)
            .limit(limit)
        ).all()
    return [
        {
            "seq": r.seq,
            "message_id": r.message_id,
            "created_at": _iso(r.created_at),
            "key": r.key,
            "text": r.text,
            **json.loads(r.payload),
        }
        for r in rows
    ]


def last_mailbox_seq(engine: Engine, ori: str) -> int:
    with engine.connect() as conn:
        value = conn.execute(select(func.max(mailbox.c.seq)).where(mailbox.c.ori == ori)).scalar()
    return int(value or 0)


def ack_mailbox(
    engine: Engine,
    ori: str,
    at: datetime,
    *,
    seqs: list[int] | None = None,
    up_to: int | None = None,
) -> int:
    """Mark `ori`'s items delivered; they leave the list, never the audit.
    Returns how many were newly acknowledged."""
    statement = update(mailbox).where(mailbox.c.ori == ori, mailbox.c.acked_at.is_(None))
    if seqs is not None:
        statement = statement.where(mailbox.c.seq.in_(seqs))
    if up_to is not None:
        statement = statement.where(mailbox.c.seq <= up_to)
    with engine.begin() as conn:
        return int(conn.execute(statement.values(acked_at=at)).rowcount)
