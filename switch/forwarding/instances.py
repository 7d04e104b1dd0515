"""Hubs sharing one database know which of them are alive, so work a dead hub
held (a state's forward queue, a wait=0 message it accepted but had not
routed) is taken over, and work a live hub holds is left alone.

Each hub beats (`hub_instances.seen_at`) every `BEAT_SECONDS`; a holder not
seen for `STALE_SECONDS` is dead. Taking work over is one conditional UPDATE,
so two hubs racing for it cannot both win.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, Select, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from switch.clock import utc_now
from switch.db.schema import forward_leases, hub_instances, pending_deliveries

BEAT_SECONDS = 1.0
# Several missed beats: a hub busy for a moment is not declared dead.
STALE_SECONDS = 5.0


def new_instance_id() -> str:
    return secrets.token_hex(8)


class Instances:
    def __init__(self, engine: Engine, instance_id: str | None = None) -> None:
        self.engine = engine
        self.id = instance_id or new_instance_id()

    # -- liveness -----------------------------------------------------------

    def register(self) -> None:
        now = utc_now()
        with self.engine.begin() as conn:
            conn.execute(
                insert(hub_instances),
                [{"id": self.id, "started_at": now, "seen_at": now, "host": socket.gethostname()}],
            )

    def beat(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(hub_instances).where(hub_instances.c.id == self.id).values(seen_at=utc_now())
            )

    def leave(self) -> None:
        """A clean stop: what this hub held is free at once, not after STALE_SECONDS."""
        with self.engine.begin() as conn:
            conn.execute(delete(forward_leases).where(forward_leases.c.holder == self.id))
            conn.execute(delete(hub_instances).where(hub_instances.c.id == self.id))

    def _alive(self, now: datetime) -> Select[tuple[str]]:
        cutoff = now - timedelta(seconds=STALE_SECONDS)
        return select(hub_instances.c.id).where(hub_instances.c.seen_at >= cutoff)

    # -- a state's forward queue ----------------------------------------------

    def hold_states(self, states: Iterable[str]) -> set[str]:
        """Of `states`, those whose queue this hub may work now: unheld, held
        by this hub, or held by a hub that is gone."""
        wanted = sorted(set(states))
        if not wanted:
            return set()
        now = utc_now()
        held: set[str] = set()
        with self.engine.begin() as conn:
            for state in wanted:
                if self._take_lease(conn, state, now):
                    held.add(state)
        return held

    def _take_lease(self, conn: Connection, state: str, now: datetime) -> bool:
        taken = conn.execute(
            update(forward_leases)
            .where(
                forward_leases.c.state == state,
                or_(
                    forward_leases.c.holder == self.id,
                    forward_leases.c.holder.not_in(self._alive(now)),
                ),
            )
            .values(holder=self.id)
        ).rowcount
        if taken:
            return True
        exists = conn.execute(
            select(forward_leases.c.state).where(forward_leases.c.state == state)
        ).first()
        if exists is not None:
            return False  # a live hub works it
        try:
            with conn.begin_nested():
                conn.execute(insert(forward_leases), [{"state": state, "holder": self.id}])
        except IntegrityError:  # another hub inserted it first
            return False
        return True

    # -- wait=0 messages accepted but not yet routed ----------------------------

    def orphans(self, limit: int = 100) -> list[str]:
        """Message ids accepted by hubs that are gone, now taken by this one."""
        now = utc_now()
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(pending_deliveries.c.message_id, pending_deliveries.c.holder)
                .where(
                    pending_deliveries.c.holder != self.id,
                    pending_deliveries.c.holder.not_in(self._alive(now)),
                )
                .order_by(pending_deliveries.c.accepted_at)
                .limit(limit)
            ).all()
            taken = []
            for row in rows:
                claimed = conn.execute(
                    update(pending_deliveries)
                    .where(
                        pending_deliveries.c.message_id == row.message_id,
                        pending_deliveries.c.holder == row.holder,
                    )
                    .values(holder=self.id)
                ).rowcount
                if claimed:
                    taken.append(row.message_id)
        return taken
