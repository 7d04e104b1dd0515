"""Retention (`switch audit prune`): delete the oldest audit rows and leave
the chain verifiable from an anchor.

What goes is the longest prefix of the chain whose rows are all older than
the cut-off date (an outcome with no time is kept), so every deleted row is
older than the date and the chain kept is one piece. The prune is itself
audited: an anchor record (outcome `pruned`) at the head of the chain says
who pruned, when, what range, and where the chain now starts, signed by the
audit key (`switch.audit.anchors`); the head's start moves in the same
transaction, and `verify` checks the two agree and the signature is good.

Mailbox items that were acknowledged and forwards that finished before the
date go too; unacknowledged items and queued forwards never do.

Rows older than the date that lie after a newer one in the chain (a past
year of history written into a database already in use) stay: cutting
further in would break the links of the chain kept. The result counts them,
and `describe` says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, or_, select, update

from switch.audit import anchors, chain
from switch.audit.acts import Actor
from switch.audit.crosscheck import carry_forward
from switch.audit.records import new_message_id
from switch.audit.signing import AuditKey, PublicKeys
from switch.audit.verify import ANCHOR_OUTCOME, Progress, verify
from switch.db.schema import (
    audit_chain_head,
    audit_outcomes,
    audit_records,
    forward_queue,
    mailbox,
)
from switch.errors import SwitchError

MIN_AGE = timedelta(days=365)
DELETE_STEP = 20_000  # chain positions per deleting transaction


class PruneRefused(SwitchError):
    """A prune that would drop audit younger than a year, or hide a broken chain."""

    http_status = 409
    code = "PRUNE_REFUSED"


@dataclass(frozen=True, slots=True)
class OlderKept:
    """Rows older than the cut-off date kept because a newer row comes first."""

    records: int
    outcomes: int
    first: int  # the first chain position holding one
    start: int  # the chain's start, whose row is not older than the date
    start_at: datetime | None  # its time (None: an outcome with no time)


@dataclass(frozen=True, slots=True)
class PruneResult:
    before: datetime
    start: int  # the chain's first position after the prune
    records: int
    outcomes: int
    mailbox: int
    forwards: int
    anchor_id: str | None  # None: nothing at the chain's start was old enough
    older_kept: OlderKept | None = None  # None: every older row was pruned


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def check_age(before: datetime, now: datetime, *, force: bool) -> None:
    age = now - before
    if age < MIN_AGE and not force:
        raise PruneRefused(
            f"refusing to prune audit younger than a year: {before:%Y-%m-%d} is "
            f"{max(age.days, 0)} days ago and at least {MIN_AGE.days} are kept; "
            "use --force to prune it anyway"
        )


def prune(
    engine: Engine,
    before: datetime,
    *,
    by: str,
    key: AuditKey,
    trusted: PublicKeys | None = None,
    force: bool = False,
    now: datetime | None = None,
    on_progress: Progress | None = None,
) -> PruneResult:
    """Delete audit rows older than `before` (refused when that is under a
    year ago unless `force`, or when the chain does not verify with earlier
    anchors signed by one of `trusted`, by default `key`); the anchor is
    signed with `key`."""
    before = _utc(before)
    now = _utc(now) if now is not None else datetime.now(UTC)
    check_age(before, now, force=force)
    keys = trusted if trusted is not None else key.trusted()
    verdict = verify(engine, on_progress=on_progress, below_start_ok=True, keys=keys)
    if verdict.finding is not None:
        raise PruneRefused(
            f"the audit chain does not verify, so nothing was pruned: {verdict.finding}"
        )
    with engine.connect() as conn:
        cut = _first_kept(conn, before, verdict.head)
        # Counted before the chain is locked: rows written meanwhile are not older.
        older_kept = _older_kept(conn, before, max(cut, verdict.start))
    anchor_id = None
    counts = {"audit_records": 0, "audit_outcomes": 0}
    with chain.transaction(engine) as conn:
        head = conn.execute(select(audit_chain_head).with_for_update()).one()
        if head.start_pos != verdict.start:
            raise PruneRefused("another prune changed the chain meanwhile; run this one again")
        start = head.start_pos
        if cut > start:
            start_hash = _hash_at(conn, cut - 1)
            for name, table in chain.CHAINED.items():
                counts[name] = conn.execute(
                    select(func.count()).where(table.c.chain_pos < cut)
                ).scalar_one()
            detail = _detail(before, now, by, head.start_pos, cut, start_hash, counts)
            signed = anchors.sign(key, detail, pos=head.pos + 1, previous=head.hash)
            anchor = _anchor(now, by, signed)
            chain.append(conn, [("audit_records", anchor)])
            # The admin acts about to go, folded into one the cross-check starts from.
            carry_forward(conn, Actor(by, "switch audit prune"))
            conn.execute(
                update(audit_chain_head)
                .where(audit_chain_head.c.id == chain.HEAD_ID)
                .values(start_pos=cut, start_hash=start_hash)
            )
            anchor_id, start = anchor["id"], cut
    # The rows before the start are outside the chain now; deleting them in
    # short transactions keeps hub writers from waiting on one long one.
    _delete_below(engine, start)
    with engine.begin() as conn:
        items = conn.execute(
            delete(mailbox).where(mailbox.c.acked_at.is_not(None), mailbox.c.created_at < before)
        ).rowcount
        forwards = conn.execute(
            delete(forward_queue).where(
                forward_queue.c.status != "queued",
                forward_queue.c.finished_at.is_not(None),
                forward_queue.c.finished_at < before,
            )
        ).rowcount
    return PruneResult(
        before=before,
        start=start,
        records=counts["audit_records"],
        outcomes=counts["audit_outcomes"],
        mailbox=items,
        forwards=forwards,
        anchor_id=anchor_id,
        older_kept=older_kept,
    )


def _first_kept(conn: Connection, before: datetime, head: int) -> int:
    """The first chain position holding a row not older than `before`."""
    r, o = audit_records.c, audit_outcomes.c
    kept_record = conn.execute(
        select(func.min(r.chain_pos)).where(r.chain_pos.is_not(None), r.received_at >= before)
    ).scalar_one_or_none()
    kept_outcome = conn.execute(
        select(func.min(o.chain_pos)).where(
            o.chain_pos.is_not(None), or_(o.received_at >= before, o.received_at.is_(None))
        )
    ).scalar_one_or_none()
    found = [p for p in (kept_record, kept_outcome) if p is not None]
    return min(found, default=head + 1)


def _older_kept(conn: Connection, before: datetime, cut: int) -> OlderKept | None:
    """The rows older than `before` from chain position `cut` on."""
    found = [
        conn.execute(
            select(func.count(), func.min(t.c.chain_pos)).where(
                t.c.chain_pos >= cut, t.c.received_at < before
            )
        ).one()
        for t in (audit_records, audit_outcomes)
    ]
    (records, first_record), (outcomes, first_outcome) = found
    if not records and not outcomes:
        return None
    first = min(p for p in (first_record, first_outcome) if p is not None)
    start_at = None
    for table in chain.CHAINED.values():
        start_at = conn.execute(
            select(table.c.received_at).where(table.c.chain_pos == cut)
        ).scalar_one_or_none()
        if start_at is not None:
            break
    return OlderKept(records, outcomes, first, cut, _utc(start_at) if start_at else None)


def _hash_at(conn: Connection, pos: int) -> str:
    for table in chain.CHAINED.values():
        digest = conn.execute(
            select(table.c.chain_hash).where(table.c.chain_pos == pos)
        ).scalar_one_or_none()
        if digest is not None:
            return str(digest)
    raise PruneRefused(f"chain position {pos} is missing; run switch audit verify")


def _detail(
    before: datetime,
    now: datetime,
    by: str,
    first: int,
    cut: int,
    start_hash: str,
    counts: dict[str, int],
) -> dict[str, Any]:
    return {
        "action": "prune",
        "before": before.isoformat(),
        "by": by,
        "at": now.isoformat(),
        "positions": [first, cut - 1],
        "records": counts["audit_records"],
        "outcomes": counts["audit_outcomes"],
        "start_pos": cut,
        "start_hash": start_hash,
    }


def _anchor(now: datetime, by: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": new_message_id(),
        "received_at": now,
        "identity": by[:64],
        "sender_ori": None,
        "message_key": None,
        "control": None,
        "reason": None,
        "destinations": None,
        "fields": None,
        "outcome": ANCHOR_OUTCOME,
        "er_code": None,
        "http_status": 0,
        "detail": json.dumps(detail, sort_keys=True),
        "raw": None,
        "latency_ms": 0.0,
    }


def _delete_below(engine: Engine, start: int, step: int = DELETE_STEP) -> None:
    tables = list(chain.CHAINED.values())
    with engine.connect() as conn:
        lows = [
            conn.execute(select(func.min(t.c.chain_pos)).where(t.c.chain_pos < start)).scalar()
            for t in tables
        ]
    low = min((p for p in lows if p is not None), default=None)
    if low is None:
        return
    for first in range(low, start, step):
        last = min(first + step, start)
        with chain.transaction(engine) as conn:
            for t in tables:
                conn.execute(delete(t).where(t.c.chain_pos >= first, t.c.chain_pos < last))


def describe(result: PruneResult) -> str:
    """What the prune did, and what older audit it kept and why: a line each."""
    before = f"{result.before:%Y-%m-%d}"
    older = result.older_kept
    if older is None:
        if result.anchor_id is None:
            return f"nothing in the audit chain is older than {before}"
        return _pruned(result, before)
    counted = f"{older.records:,} audit records and {older.outcomes:,} outcomes"
    if result.anchor_id is None:
        return f"nothing pruned: {counted} are older than {before} but {_why_kept(older)}"
    return f"{_pruned(result, before)}\nkept {counted} older than {before}: they {_why_kept(older)}"


def _pruned(result: PruneResult, before: str) -> str:
    return (
        f"pruned {result.records:,} records and {result.outcomes:,} outcomes older than "
        f"{before}; the chain now starts at position {result.start:,} "
        f"(anchor {result.anchor_id})"
    )


def _why_kept(older: OlderKept) -> str:
    start = f"a row from {older.start_at:%Y-%m-%d}" if older.start_at else "a row with no time"
    return (
        f"lie after newer ones in the audit chain (from position {older.first:,} on; the "
        f"chain starts at position {older.start:,} with {start}); prune removes only the "
        "start of the chain, since each row's hash links it to the one before and a cut "
        "further in would break the chain it keeps"
    )
