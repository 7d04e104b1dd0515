"""Which states an admin has marked out of service, per message key, and
whether their queries are kept meanwhile.

Two marks, as Nlets has them: out of service (`.02.`, kept and forwarded
when the state returns) and remove status (`.04.`, neither kept nor
forwarded: the sender must send again).

The table is the truth (it outlives a restart); switch.forwarding.marks
keeps a copy in memory so the hot path never reads the database for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, select, update

from switch.audit import chain
from switch.audit.acts import STATUS_IN, STATUS_OUT, STATUS_REMOVE, Act, Actor
from switch.clock import utc_now
from switch.db.schema import forward_queue, service_status

Mark = tuple[str, str]  # (state, message key)


@dataclass(slots=True)
class Marks:
    forward: set[Mark] = field(default_factory=set)  # .02.: kept, then forwarded
    removed: set[Mark] = field(default_factory=set)  # .04.: not kept

    def of(self, state: str) -> dict[str, list[str]]:
        return {
            "out_of_service": sorted(k for st, k in self.forward if st == state),
            "removed": sorted(k for st, k in self.removed if st == state),
        }

    def states(self) -> list[str]:
        return sorted({st for st, _ in self.forward | self.removed})


def load(engine: Engine) -> Marks:
    with engine.connect() as conn:
        rows = conn.execute(
            select(service_status.c.state, service_status.c.message_key, service_status.c.forward)
        ).all()
    marks = Marks()
    for row in rows:
        (marks.forward if row.forward else marks.removed).add((row.state, row.message_key))
    return marks


def mark(
    engine: Engine,
    state: str,
    keys: Iterable[str],
    *,
    forward: bool = True,
    act: Act | None = None,
) -> None:
    """Mark `state` out of service for `keys`; a key already marked takes the
    new mode (an out-of-service state may be put on remove status). The
    change is an admin act (`act`, or one by this OS user)."""
    wanted = sorted(set(keys))
    name = STATUS_OUT if forward else STATUS_REMOVE
    act = act or Act(Actor.local("switch.forwarding.status.mark"), name)
    act.about(state, state)
    act.note(keys=wanted, forward=forward)
    with chain.transaction(engine) as conn:
        conn.execute(
            delete(service_status).where(
                service_status.c.state == state, service_status.c.message_key.in_(wanted)
            )
        )
        if wanted:
            rows = [
                {"state": state, "message_key": key, "since": utc_now(), "forward": int(forward)}
                for key in wanted
            ]
            conn.execute(service_status.insert(), rows)
        act.record(conn)


def clear(
    engine: Engine, state: str, keys: Iterable[str] | None = None, *, act: Act | None = None
) -> None:
    """Return `state` to service for `keys` (None: every key); what was kept
    for it is due at once rather than at its next probe. The change is an
    admin act (`act`, or one by this OS user)."""
    keys = sorted(set(keys)) if keys is not None else None
    act = act or Act(Actor.local("switch.forwarding.status.clear"), STATUS_IN)
    act.about(state, state)
    act.note(keys=keys if keys is not None else "all")
    statement = delete(service_status).where(service_status.c.state == state)
    due = (
        update(forward_queue)
        .where(forward_queue.c.state == state, forward_queue.c.status == "queued")
        .values(next_attempt_at=utc_now())
    )
    if keys is not None:
        statement = statement.where(service_status.c.message_key.in_(list(keys)))
        due = due.where(forward_queue.c.message_key.in_(list(keys)))
    with chain.transaction(engine) as conn:
        conn.execute(statement)
        conn.execute(due)
        act.record(conn)
