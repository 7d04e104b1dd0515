"""A candidate put in force on the evidence of a replay, and approved by a
second admin where the state asks for one.

The evidence is a `policy_replays` row: one replay of the state's recorded
traffic against one exact candidate hash, its window and summary. A
promotion needs one whose window starts at or before the promotion's
`since` (by default 90 days before now): a replay of last week's traffic
does not speak for the last quarter. Where the state's `require_approval`
is on, the candidate row also needs a `policy_approvals` row by an author
other than the candidate's.

The promoted version is a new `policy_changes` row (origin promote) with
the replay's summary as its evidence and the approver. The candidate row
is then `promoted` and the state has no candidate: every hub drops it from
shadow mode, and a second promote, replay or approval is refused until the
next candidate is proposed.

INVARIANT: each row here is inserted with its admin act in the same
transaction, like a version (switch.policy.versions).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from switch.audit import chain
from switch.audit.acts import Act
from switch.db.schema import policy_approvals, policy_replays, policy_settings
from switch.errors import ForbiddenError, SwitchError
from switch.policy import versions
from switch.policy.sources.database import SharedPolicies

# How far back a replay must reach, unless the promotion says otherwise.
EVIDENCE_DAYS = 90


class PromotionRefused(SwitchError):
    """A candidate cannot be replayed, approved or promoted as it stands."""

    http_status = 409
    code = "PROMOTION_REFUSED"


def default_since(now: datetime) -> datetime:
    return now - timedelta(days=EVIDENCE_DAYS)


# -- the setting ----------------------------------------------------------


def require_approval(conn: Connection, state: str) -> bool:
    found = conn.execute(
        select(policy_settings.c.require_approval).where(policy_settings.c.state == state)
    ).scalar()
    return bool(found)


def set_require_approval(
    conn: Connection, state: str, on: bool, *, author: str, act: Act, now: datetime
) -> bool:
    """Change the setting, with its act, in `conn`'s transaction; what it was."""
    was = require_approval(conn, state)
    values = {"require_approval": int(on), "changed_at": now, "changed_by": author[:160]}
    c = policy_settings.c
    if conn.execute(select(c.state).where(c.state == state)).first() is None:
        conn.execute(insert(policy_settings).values(state=state, **values))
    else:
        conn.execute(update(policy_settings).where(c.state == state).values(**values))
    act.about(state, state)
    act.note(require_approval=on, was=was, author=author)
    act.record(conn)
    return was


# -- the candidate ----------------------------------------------------------


def candidate(conn: Connection, state: str) -> versions.Version:
    """The state's candidate, not yet promoted; PromotionRefused otherwise."""
    found = versions.candidate_of(conn, state)
    if found is not None:
        return found
    last = versions.newest(conn, state, candidate=True)
    if last is not None:
        raise PromotionRefused(
            f"{state} has no candidate policy: its last, {last.version}, was promoted; "
            "propose the next one first"
        )
    raise PromotionRefused(f"{state} has no candidate policy: propose one first")


# -- evidence ---------------------------------------------------------------


def record_replay(
    conn: Connection,
    summary: dict[str, Any],
    *,
    since: datetime | None,
    until: datetime | None,
    author: str,
    act: Act,
    now: datetime,
) -> int:
    """Keep a replay's summary as evidence for (state, version), with its act."""
    state, version = summary["state"], summary["version"]
    seq: int = conn.execute(
        insert(policy_replays)
        .values(
            state=state,
            version=version,
            since=since,
            until=until,
            recorded_at=now,
            author=author[:160],
            summary=json.dumps(summary, sort_keys=True),
            act_id=act.id,
        )
        .returning(policy_replays.c.seq)
    ).scalar_one()
    act.about(state, state)
    act.note(replay=seq, version=version, author=author, summary=summary)
    act.record(conn)
    return seq


def _aware(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _replay(row: Any) -> dict[str, Any]:
    since, until = _aware(row.since), _aware(row.until)
    recorded = _aware(row.recorded_at)
    assert recorded is not None
    return {
        "seq": row.seq,
        "state": row.state,
        "version": row.version,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "time": recorded.isoformat(),
        "author": row.author,
        "audit_id": row.act_id,
        "summary": json.loads(row.summary),
    }


def replays(conn: Connection, state: str, version: str) -> list[dict[str, Any]]:
    """The replays recorded against one version of a state, newest first."""
    c = policy_replays.c
    rows = conn.execute(
        select(policy_replays)
        .where(c.state == state, c.version == versions.normal_hash(version))
        .order_by(c.seq.desc())
    )
    return [_replay(row) for row in rows]


def evidence(conn: Connection, state: str, version: str, since: datetime) -> dict[str, Any]:
    """The newest replay against exactly this version whose window starts at
    or before `since`; PromotionRefused, saying what is missing, otherwise."""
    c = policy_replays.c
    row = conn.execute(
        select(policy_replays)
        .where(
            c.state == state,
            c.version == version,
            or_(c.since.is_(None), c.since <= since),
        )
        .order_by(c.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        raise PromotionRefused(
            f"no replay of {state}'s recorded traffic from {since.date().isoformat()} "
            f"against candidate {version}: run `switch policy replay --state {state} "
            "--against-candidate` first"
        )
    return _replay(row)


# -- approval ---------------------------------------------------------------


def approve(
    conn: Connection, state: str, version: str, *, approver: str, act: Act, now: datetime
) -> dict[str, Any]:
    """Approve the state's current candidate (named by its hash), with the
    act, in `conn`'s transaction (call versions.lock first)."""
    wanted = versions.normal_hash(version)
    act.about(state, state)
    act.note(version=wanted, approver=approver)
    found = candidate(conn, state)
    if found.version != wanted:
        raise PromotionRefused(f"{wanted} is not {state}'s candidate (that is {found.version})")
    if found.author == approver:
        raise ForbiddenError(
            f"{approver} proposed {state}'s candidate and cannot also approve it: "
            "a second admin key must"
        )
    seq: int = conn.execute(
        insert(policy_approvals)
        .values(
            state=state,
            change_seq=found.seq,
            version=found.version,
            approved_at=now,
            approved_by=approver[:160],
        )
        .returning(policy_approvals.c.seq)
    ).scalar_one()
    act.note(candidate_seq=found.seq, author=found.author)
    act.record(conn)
    return {"state": state, "version": found.version, "approved_by": approver, "seq": seq}


def approver_of(conn: Connection, found: versions.Version) -> str | None:
    """Who approved this candidate row (the first, if several did)."""
    c = policy_approvals.c
    return conn.execute(
        select(c.approved_by)
        .where(c.state == found.state, c.change_seq == found.seq)
        .order_by(c.seq)
        .limit(1)
    ).scalar()


# -- promotion --------------------------------------------------------------


def promote(
    shared: SharedPolicies,
    state: str,
    *,
    act: Act,
    author: str,
    now: datetime,
    since: datetime | None = None,
    comment: str | None = None,
    changed_by: str | None = None,
) -> versions.Version:
    """Put the state's candidate in force as a new version, with its
    evidence and approver; PromotionRefused when either is missing."""
    since = since if since is not None else default_since(now)
    act.about(state, state)
    act.note(since=since.isoformat(), comment=comment)
    with shared.engine.connect() as conn:
        seen = candidate(conn, state)
    # Compiled outside the lock (the slow part); everything it rests on is
    # read again under it, so a candidate, replay or approval changed
    # meanwhile is never promoted on stale evidence.
    policy = shared.store.validate(state, seen.text)
    with chain.transaction(shared.engine) as conn:
        versions.lock(conn)
        found = candidate(conn, state)
        act.note(candidate_version=found.version, candidate_seq=found.seq)
        if found.seq != seen.seq:
            raise PromotionRefused(
                f"{state}'s candidate changed while it was being promoted "
                f"(now {found.version}): look at it again"
            )
        proof = evidence(conn, state, found.version, since)
        approved_by = approver_of(conn, found)
        if require_approval(conn, state) and approved_by is None:
            raise PromotionRefused(
                f"{state} requires approval: a second admin must run "
                f"`switch policy approve {state} {found.version}` first"
            )
        act.note(replay=proof["seq"], approved_by=approved_by)
        seq = versions.record(
            conn,
            policy,
            act=act,
            origin=versions.PROMOTE,
            author=author,
            candidate=False,
            comment=comment,
            changed_by=changed_by,
            evidence={**proof["summary"], "replay": proof["seq"], "replayed_at": proof["time"]},
            approved_by=approved_by,
        )
    shared.put_in_force(policy, False, seq)
    shared.note_promoted(state, seq)
    with shared.engine.connect() as conn:
        made = versions.newest(conn, state, candidate=False)
    assert made is not None  # just recorded
    return made
