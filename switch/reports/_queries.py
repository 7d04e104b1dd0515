"""The SQL behind a report: a handful of GROUP BYs over one state's outcomes.

Each query returns at most a few rows per requesting agency or per day,
whatever the size of the audit, so a report over millions of outcomes costs
a few index-range scans and no per-row Python. Who an ORI is (department,
component, type) lives in the directory, not the table: it is mapped after
grouping, in `_build`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    case,
    func,
    literal,
    literal_column,
    select,
)

from switch.audit.acts import ADMIN
from switch.db.schema import audit_outcomes, audit_records, notices, policy_changes
from switch.reports._period import Period

_o = audit_outcomes
# A plain scan beats the index once the rows wanted are 1/SCAN_SHARE of the table.
SCAN_SHARE = 8


@dataclass(frozen=True, slots=True)
class SenderCount:
    sender_ori: str | None
    decision: str
    status: str
    rule: str | None
    reason: str | None
    count: int
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True, slots=True)
class RequestCount:
    message_key: str | None
    message_reason: str | None
    decision: str
    status: str
    rule: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Aggregates:
    senders: list[SenderCount]
    requests: list[RequestCount]
    # (redacted field list as stored, status, count)
    redactions: list[tuple[str, str, int]]
    # (enforced decision, candidate decision, candidate version, count)
    shadow: list[tuple[str, str, str | None, int]]
    # (UTC day or None when the outcome has no time, permit count, deny count)
    days: list[tuple[date | None, int, int]]
    # (notices, overdue and unsent, earliest unsent due date not yet passed, sent)
    notices: tuple[int, int, str | None, int]
    # (admin act, outcome, count) of the acts about the state
    acts: list[tuple[str, str, int]] = field(default_factory=list)
    # The state's policy_changes rows recorded in the period, oldest first
    versions: list[Any] = field(default_factory=list)
    # (where a refusal happened: nlets | state-switch | dmv, count)
    refused_at: list[tuple[str, int]] = field(default_factory=list)


def _outcomes_in(state: str, period: Period, *, scan: bool = False) -> list[ColumnElement[bool]]:
    # `state || ''` matches the same rows but no index can serve it: see `_scan`.
    state_is = (_o.c.state + literal("")) == state if scan else _o.c.state == state
    where = [state_is]
    if period.start is not None:
        where.append(_o.c.received_at >= period.start)
    if period.end is not None:
        where.append(_o.c.received_at < period.end)
    return where


def _scan(conn: Connection, state: str, period: Period) -> bool:
    """Whether to read the whole table rather than go through the (state,
    received_at) index. SQLite keeps no statistics unless ANALYZE was run, so
    it always takes the index, at one random table read per row: several
    times slower than a plain scan once the rows wanted are more than a small
    share of the table. PostgreSQL's planner makes this choice itself."""
    if conn.dialect.name != "sqlite":
        return False
    wanted = conn.execute(select(func.count()).where(*_outcomes_in(state, period))).scalar_one()
    low, high = conn.execute(select(func.min(_o.c.seq), func.max(_o.c.seq))).one()
    table = 0 if low is None else high - low + 1
    return wanted * SCAN_SHARE > table


def _utc_day(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        # A literal, not a bound parameter, so the GROUP BY repeats the same
        # expression PostgreSQL saw in the SELECT list.
        return func.date(func.timezone(literal_column("'UTC'"), _o.c.received_at))
    # SQLite keeps the UTC wall time as text; date() reads its first ten characters.
    return func.date(_o.c.received_at)


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _is(decision: str) -> ColumnElement[Any]:
    return func.sum(case((_o.c.decision == decision, 1), else_=0))


def _senders(conn: Connection, where: list[ColumnElement[bool]]) -> list[SenderCount]:
    columns = (_o.c.sender_ori, _o.c.decision, _o.c.status, _o.c.rule)
    query = (
        select(
            *columns,
            func.max(_o.c.reason),
            func.count(),
            func.min(_o.c.received_at),
            func.max(_o.c.received_at),
        )
        .where(*where)
        .group_by(*columns)
    )
    return [
        SenderCount(ori, decision, status, rule, reason, count, first, last)
        for ori, decision, status, rule, reason, count, first, last in conn.execute(query)
    ]


def _requests(conn: Connection, where: list[ColumnElement[bool]]) -> list[RequestCount]:
    columns = (_o.c.message_key, _o.c.message_reason, _o.c.decision, _o.c.status, _o.c.rule)
    query = select(*columns, func.count()).where(*where).group_by(*columns)
    return [RequestCount(*row) for row in conn.execute(query)]


def fetch(engine: Engine, state: str, period: Period, today: date) -> Aggregates:
    """Every count a report on `state` over `period` needs; notices are due
    or overdue as of `today`."""
    day = _utc_day(engine.dialect.name).label("day")
    owed = [notices.c.state == state]
    if period.start is not None:
        owed.append(notices.c.created_at >= period.start)
    if period.end is not None:
        owed.append(notices.c.created_at < period.end)
    # INVARIANT: due_date is an ISO date string, so text order is date order.
    as_of = today.isoformat()
    r = audit_records.c
    about = [r.kind == ADMIN, r.state == state]
    if period.start is not None:
        about.append(r.received_at >= period.start)
    if period.end is not None:
        about.append(r.received_at < period.end)
    with engine.connect() as conn:
        acts = conn.execute(
            select(r.act, r.outcome, func.count()).where(*about).group_by(r.act, r.outcome)
        ).all()
        pc = policy_changes.c
        changed = [pc.state == state]
        if period.start is not None:
            changed.append(pc.changed_at >= period.start)
        if period.end is not None:
            changed.append(pc.changed_at < period.end)
        kept = conn.execute(select(policy_changes).where(*changed).order_by(pc.seq)).all()
        where = _outcomes_in(state, period, scan=_scan(conn, state, period))
        senders = _senders(conn, where)
        requests = _requests(conn, where)
        redactions = conn.execute(
            select(_o.c.redacted, _o.c.status, func.count())
            .where(*where, _o.c.redacted.is_not(None), _o.c.redacted != "")
            .group_by(_o.c.redacted, _o.c.status)
        ).all()
        shadow = conn.execute(
            select(_o.c.decision, _o.c.shadow_decision, _o.c.shadow_version, func.count())
            .where(*where, _o.c.shadow_decision.is_not(None))
            .group_by(_o.c.decision, _o.c.shadow_decision, _o.c.shadow_version)
        ).all()
        # A deny from before outcomes said who refused (migration 0016) was
        # refused at Nlets, the only place a block could then happen.
        where_refused = func.coalesce(_o.c.refused_by, literal("nlets"))
        refused_at = conn.execute(
            select(where_refused, func.count())
            .where(*where, _o.c.decision == "deny")
            .group_by(where_refused)
        ).all()
        days = conn.execute(
            select(day, _is("permit"), _is("deny")).where(*where).group_by(day).order_by(day)
        ).all()
        unsent = notices.c.sent_at.is_(None)
        total, overdue, next_due, sent = conn.execute(
            select(
                func.count(),
                func.coalesce(
                    func.sum(case(((notices.c.due_date < as_of) & unsent, 1), else_=0)), 0
                ),
                func.min(case(((notices.c.due_date >= as_of) & unsent, notices.c.due_date))),
                func.coalesce(func.sum(case((unsent, 0), else_=1)), 0),
            ).where(*owed)
        ).one()
    return Aggregates(
        senders=senders,
        requests=requests,
        redactions=[(fields, status, count) for fields, status, count in redactions],
        shadow=[(enforced, cand, version, count) for enforced, cand, version, count in shadow],
        days=[(_as_date(d), int(p or 0), int(n or 0)) for d, p, n in days],
        notices=(int(total), int(overdue), next_due, int(sent)),
        acts=[(act, outcome, int(count)) for act, outcome, count in acts],
        versions=list(kept),
        refused_at=[(place, int(count)) for place, count in refused_at],
    )
