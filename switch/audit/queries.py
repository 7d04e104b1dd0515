"""Reading the audit back: one message with its outcomes, a mailbox."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update

from switch.audit.schema import audit_outcomes, audit_records, mailbox


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def get_message(engine: Engine, message_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(audit_records).where(audit_records.c.id == message_id)).first()
        if row is None:
            return None
        outcomes = conn.execute(
            select(audit_outcomes)
            .where(audit_outcomes.c.message_id == message_id)
            .order_by(audit_outcomes.c.seq)
        ).all()
    record = row._asdict()
    return {
        "id": record["id"],
        "received_at": _iso(record["received_at"]),
        "ori": record["sender_ori"],
        "key": record["message_key"],
        "control": record["control"],
        "destinations": (record["destinations"] or "").split(",") if record["destinations"] else [],
        "fields": json.loads(record["fields"]) if record["fields"] else {},
        "outcome": record["outcome"],
        "er_code": record["er_code"],
        "http_status": record["http_status"],
        "detail": record["detail"],
        "latency_ms": record["latency_ms"],
        "results": [
            {
                "destination": o.destination,
                "state": o.state,
                "decision": o.decision,
                "rule": o.rule,
                "reason": o.reason,
                "policy_version": o.policy_version,
                "warrant": o.warrant,
                "status": o.status,
                "response": json.loads(o.response) if o.response else None,
                "latency_ms": o.latency_ms,
            }
            for o in outcomes
        ],
    }


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
