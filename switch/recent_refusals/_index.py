"""The `recent_refusals` table: the index every hub on a database shares.

Rows are inserted by the audit writer, in the commit that records the
refusal (`RefusalItem`s on the audit record), so a refusal is remembered
exactly when it is audited, and before its ER reaches the sender. Reads
happen before a query is decided; a read that fails raises, and the hub
then hands the policy `None`, which a rule testing `subject.refused_to`
turns into a deny.

The bound: rows older than the horizon (the longest window any policy uses,
at least a day) are deleted, and past `max_entries` rows the oldest go
first. `prune` does both; the hub calls it after every `PRUNE_EVERY_ROWS`
rows it adds or `PRUNE_EVERY_SECONDS`, whichever comes first, so between
prunes the table holds at most `max_entries` plus what those add.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, select

from switch.clock import Clock, utc_now
from switch.db.schema import recent_refusals
from switch.policy.refusals import Refusal, latest_refusal

DEFAULT_MAX_ENTRIES = 200_000
PRUNE_EVERY_ROWS = 1_000
PRUNE_EVERY_SECONDS = 60.0

_t = recent_refusals.c


def _utc(at: datetime) -> datetime:
    # SQLite gives back naive UTC; the index only ever writes UTC.
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


class RefusalIndex:
    def __init__(
        self,
        engine: Engine,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Clock = utc_now,
    ) -> None:
        if max_entries < 1:
            raise ValueError("the index must hold at least one refusal")
        self._engine = engine
        self.max_entries = max_entries
        self._clock = clock
        self._added = 0
        self._pruned_at: datetime | None = None

    def recent(self, subjects: Sequence[str], at: datetime, hours: float) -> tuple[Refusal, ...]:
        """The refusals of any of `subjects`, at any state, in (at - hours, at];
        one per refused message and state. Raises if the table cannot be read."""
        if not subjects or hours <= 0:
            return ()
        at = _utc(at)
        query = (
            select(_t.message_id, _t.refused_at, _t.state, _t.requester_ori, _t.component)
            .where(_t.subject.in_(list(subjects)))
            .where(_t.refused_at > at - timedelta(hours=hours), _t.refused_at <= at)
            .order_by(_t.refused_at, _t.seq)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        found: dict[tuple[str, str], Refusal] = {}
        for message_id, refused_at, state, ori, component in rows:
            found.setdefault(
                (message_id, state), Refusal(message_id, _utc(refused_at), state, ori, component)
            )
        return tuple(found.values())

    def refused_to(
        self,
        subjects: Sequence[str],
        state: str,
        components: Collection[str],
        at: datetime,
        hours: float,
    ) -> Refusal | None:
        """The latest refusal of any of `subjects` at `state` to one of
        `components` in (at - hours, at], or None: the question a
        `subject.refused_to` test asks, for callers outside a policy."""
        refusals = self.recent(subjects, at, hours)
        return latest_refusal(refusals, state, frozenset(components), at, timedelta(hours=hours))

    def added(self, rows: int, horizon_hours: float, now: datetime | None = None) -> int:
        """`rows` were written (at `now`, the hub's time): prune when enough
        were, or enough time went by since the last prune. Returns the rows
        pruned (0 when not due)."""
        self._added += rows
        now = _utc(now or self._clock())
        due = (
            self._pruned_at is None
            or self._added >= PRUNE_EVERY_ROWS
            or (now - self._pruned_at).total_seconds() >= PRUNE_EVERY_SECONDS
        )
        return self.prune(horizon_hours, now) if due else 0

    def prune(self, horizon_hours: float, now: datetime | None = None) -> int:
        """Delete what is past the horizon, then the oldest past `max_entries`."""
        now = _utc(now or self._clock())
        self._added, self._pruned_at = 0, now
        with self._engine.begin() as conn:
            old = conn.execute(
                delete(recent_refusals).where(_t.refused_at <= now - timedelta(hours=horizon_hours))
            ).rowcount
            newest = conn.execute(select(func.max(_t.seq))).scalar()
            over = 0
            if newest is not None:
                over = conn.execute(
                    delete(recent_refusals).where(_t.seq <= newest - self.max_entries)
                ).rowcount
        return int(old or 0) + int(over or 0)

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(recent_refusals)).scalar_one())
