"""Searching the audit: records by sender, state, message key, API key,
outcome, decision and time, a page at a time in `seq` order.

A record "touches" a state when its sender's ORI is in that state, one of
its outcomes is at that state, or (an admin act) it is about that state; a
state-scoped admin is given only those (the same rule as
`switch.access.visibility.touches`, here in SQL so pages stay whole).

Records are of two kinds: `message` (messages and refused requests) and
`admin` (admin acts, a prune's anchor among them); a search asks for one
kind or `all`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Engine, and_, exists, or_, select

from switch.audit.acts import ADMIN
from switch.audit.public import AuditRecordPublic
from switch.audit.queries import message_fields
from switch.db.schema import audit_outcomes, audit_records
from switch.errors import SwitchError

Order = Literal["desc", "asc"]
Kind = Literal["message", "admin", "all"]
# The outcome of a prune's anchor (switch.audit.prune): an admin act too.
_PRUNED = "pruned"
MAX_PAGE = 1000


class AuditQueryError(SwitchError):
    """An audit search asked with a filter or cursor the switch cannot read."""

    http_status = 422
    code = "INVALID_AUDIT_QUERY"


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """What to look for; every filter left None matches everything.

    `scope` is the reader's admin scope (`*` or a state); `after` is the
    `seq` the previous page ended at.
    """

    scope: str = "*"
    kind: Kind = "message"
    ori: str | None = None
    state: str | None = None
    message_key: str | None = None
    key_id: str | None = None
    outcome: str | None = None
    decision: str | None = None
    since: datetime | None = None
    before: datetime | None = None
    limit: int = 100
    order: Order = "desc"
    after: int | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    # Whole: the route projects each by the reader's scope (switch.access.visibility).
    records: list[AuditRecordPublic]
    # The seq to continue from, or None when this page is the last.
    next_seq: int | None


def _touches(state: str) -> ColumnElement[bool]:
    at_state = exists().where(
        audit_outcomes.c.message_id == audit_records.c.id, audit_outcomes.c.state == state
    )
    r = audit_records.c
    return or_(r.sender_ori.startswith(state, autoescape=True), at_state, r.state == state)


def _is_admin() -> ColumnElement[bool]:
    r = audit_records.c
    return or_(r.kind == ADMIN, and_(r.kind.is_(None), r.outcome == _PRUNED))


def _conditions(query: AuditQuery) -> list[ColumnElement[bool]]:
    r = audit_records.c
    where: list[ColumnElement[bool]] = []
    if query.kind == "admin":
        where.append(_is_admin())
    elif query.kind == "message":
        where.append(and_(r.kind.is_(None), r.outcome != _PRUNED))
    if query.scope != "*":
        where.append(_touches(query.scope))
    if query.state is not None and query.state != query.scope:
        where.append(_touches(query.state))
    if query.ori is not None:
        where.append(r.sender_ori == query.ori)
    if query.message_key is not None:
        where.append(r.message_key == query.message_key)
    if query.key_id is not None:
        where.append(
            or_(
                r.identity == query.key_id,
                r.identity.startswith(f"{query.key_id}/", autoescape=True),
            )
        )
    if query.outcome is not None:
        where.append(r.outcome == query.outcome)
    if query.decision is not None:
        decided = [audit_outcomes.c.message_id == r.id, audit_outcomes.c.decision == query.decision]
        # "Denied" read by a state's admin, or filtered to a state, means denied there.
        state = query.state or (query.scope if query.scope != "*" else None)
        if state is not None:
            decided.append(audit_outcomes.c.state == state)
        where.append(exists().where(and_(*decided)))
    if query.since is not None:
        where.append(r.received_at >= query.since)
    if query.before is not None:
        where.append(r.received_at < query.before)
    if query.after is not None:
        where.append(r.seq < query.after if query.order == "desc" else r.seq > query.after)
    return where


def search_audit(engine: Engine, query: AuditQuery) -> AuditPage:
    limit = max(1, min(query.limit, MAX_PAGE))
    seq = audit_records.c.seq
    statement = (
        select(audit_records)
        .where(*_conditions(query))
        .order_by(seq.desc() if query.order == "desc" else seq.asc())
        .limit(limit + 1)  # one more than asked says whether a next page exists
    )
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
        more = len(rows) > limit
        rows = rows[:limit]
        ids = [row.id for row in rows]
        outcomes = (
            conn.execute(
                select(audit_outcomes)
                .where(audit_outcomes.c.message_id.in_(ids))
                .order_by(audit_outcomes.c.seq)
            ).all()
            if ids
            else []
        )
    by_message: dict[str, list[Any]] = {}
    for outcome in outcomes:
        by_message.setdefault(outcome.message_id, []).append(outcome)
    records = [_record(row, by_message.get(row.id, [])) for row in rows]
    return AuditPage(records, rows[-1].seq if more and rows else None)


def _record(row: Any, outcomes: list[Any]) -> AuditRecordPublic:
    fields = message_fields(row, outcomes)
    extra = {
        "kind": "admin" if row.kind == ADMIN or row.outcome == _PRUNED else "message",
        "act": _act(row),
        "claimed_ori": row.claimed_ori,
        "client": row.client,
        "count": row.count if row.count is not None else 1,
        "form": row.form,
    }
    return AuditRecordPublic.model_validate(
        {"seq": row.seq, "identity": row.identity, "raw": row.raw, **fields, **extra}
    )


def _act(row: Any) -> dict[str, Any] | None:
    """An admin act's name, target, the state it is about and its details."""
    if row.kind != ADMIN:
        return None
    try:
        details = json.loads(row.detail or "{}")
    except ValueError:
        details = {}
    return {"name": row.act, "target": row.target, "state": row.state, "details": details}
