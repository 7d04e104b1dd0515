"""Which states an admin has marked out of service, per message key.

The table is the truth (it outlives a restart); the router keeps a copy in
memory so the hot path never reads the database for it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, delete, select

from switch.audit.schema import service_status
from switch.router import utc_now


def load(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(service_status.c.state, service_status.c.message_key)).all()
    return {(r.state, r.message_key) for r in rows}


def mark(engine: Engine, state: str, keys: Iterable[str]) -> None:
    wanted = set(keys)
    with engine.begin() as conn:
        have = {
            r.message_key
            for r in conn.execute(
                select(service_status.c.message_key).where(service_status.c.state == state)
            )
        }
        rows = [
            {"state": state, "message_key": key, "since": utc_now()}
            for key in sorted(wanted - have)
        ]
        if rows:
            conn.execute(service_status.insert(), rows)


def clear(engine: Engine, state: str, keys: Iterable[str] | None = None) -> None:
    """Return `state` to service for `keys` (None: every key)."""
    statement = delete(service_status).where(service_status.c.state == state)
    if keys is not None:
        statement = statement.where(service_status.c.message_key.in_(list(keys)))
    with engine.begin() as conn:
        conn.execute(statement)
