"""Reading recorded queries for replay: one statement over `audit_outcomes`,
streamed through the raw DBAPI cursor in `seq` order, each row packed by
the database into (seq, decision class)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from switch.impact.replay_input import ReplayError
from switch.messages.model import QUERY_KEYS
from switch.policy import CompiledPolicy
from switch.policy.model import PolicyFile
from switch.policy.space import tested_attributes

BATCH = 50_000


# A row's decision class, packed into one string by the database: one object
# per row to fetch, hash and count. It always holds the state, the sender and
# the recorded decision; the request's other attributes only when a candidate
# rule tests them (`tested_attributes` names), since nothing else can change
# a decision. Fewer classes, fewer evaluations.
_ALWAYS = "state || '|' || coalesce(sender_ori, '') || '|' || decision"
_PACKABLE = {
    "message_key": "message_key",
    "message_reason": "coalesce(message_reason, '')",
    "message_image": "CAST(image AS TEXT)",
    "warrant": "coalesce(warrant, '')",
    "time": "",  # per dialect, below
}
# Local time is worked out from the UTC hour: every zone here is whole hours off UTC.
_HOUR = {
    "sqlite": "substr(received_at, 1, 13)",
    "postgresql": "to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')",
}
PACKABLE = tuple(_PACKABLE)


def packing_for(candidates: Mapping[str, CompiledPolicy]) -> tuple[str, ...]:
    """The attributes a class must carry for these candidates to decide it."""
    tested = tested_by(candidates)
    return tuple(name for name in PACKABLE if name in tested)


def tested_by(candidates: Mapping[str, CompiledPolicy]) -> set[str]:
    """Every attribute a rule of these policies tests (`tested_attributes` names)."""
    # The compiled rules keep their validated specs: no need to parse the YAML again.
    return tested_attributes(
        PolicyFile.model_construct(state=p.state, title=p.title, rules=[r.spec for r in p.rules])
        for p in candidates.values()
    )


def _where(
    dialect: str, states: list[str], since: datetime | None, until: datetime | None
) -> tuple[str, list[Any]]:
    mark = "%s" if dialect == "postgresql" else "?"
    params: list[Any] = [*states, *sorted(QUERY_KEYS)]
    if len(states) == 1:
        # SQLite walks ix_audit_outcomes_state (state, seq): in seq order, no sort.
        state = f"state = {mark}"
    else:
        # Several states: scan in seq order; SQLite's `+` keeps it off the
        # state index, whose rows would then need sorting by seq.
        plus = "+" if dialect == "sqlite" else ""
        state = f"{plus}state IN ({', '.join(mark for _ in states)})"
    sql = (
        f"FROM audit_outcomes WHERE {state}"
        f" AND message_key IN ({', '.join(mark for _ in QUERY_KEYS)})"
        " AND decision IS NOT NULL"
    )
    for bound, op in ((since, ">="), (until, "<")):
        if bound is not None:
            sql += f" AND received_at {op} {mark}"
            params.append(_db_time(bound, dialect))
    return sql, params


def _db_time(at: datetime, dialect: str) -> Any:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    # SQLite holds SQLAlchemy's DateTime text (UTC): compare as text in that form.
    return at if dialect == "postgresql" else at.strftime("%Y-%m-%d %H:%M:%S.%f")


def query_sql(
    dialect: str,
    states: list[str],
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    packing: tuple[str, ...] = PACKABLE,
) -> tuple[str, list[Any]]:
    """The statement replay streams: `seq` and the packed decision class."""
    where, params = _where(dialect, states, since, until)
    parts = [_HOUR[dialect] if name == "time" else _PACKABLE[name] for name in packing]
    packed = " || '|' || ".join([_ALWAYS, *parts])
    return f"SELECT seq, {packed} {where} ORDER BY seq", params


def _connect(engine: Engine) -> Any:
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        # sqlite3 would create an empty file where none is: a typo must not look like no history.
        if database and database != ":memory:" and not Path(database).is_file():
            raise ReplayError(f"no audit database at {database}")
    try:
        return engine.raw_connection()
    except (SQLAlchemyError, _reading(engine)) as exc:
        raise ReplayError(f"cannot open the audit database: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [repr(exc)])[0]


def _reading(engine: Engine) -> Any:
    """The DBAPI's error class: what a bad database raises through a raw cursor."""
    return engine.dialect.loaded_dbapi.Error


def count_queries(
    engine: Engine,
    states: list[str],
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """How many recorded queries a replay of these states would read."""
    where, params = _where(engine.dialect.name, states, since, until)
    connection = _connect(engine)
    try:
        cursor = connection.cursor()
        cursor.execute(f"SELECT COUNT(*) {where}", params)
        (count,) = cursor.fetchone()
        return int(count)
    except _reading(engine) as exc:
        raise ReplayError(f"cannot read the audit database: {_first_line(exc)}") from exc
    finally:
        connection.close()


def stream_queries(
    engine: Engine,
    states: list[str],
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    packing: tuple[str, ...] = PACKABLE,
    batch_size: int = BATCH,
) -> Iterator[list[tuple[int, str]]]:
    """Batches of (seq, packed class) of recorded queries, in `seq` order.

    PostgreSQL reads through a server-side cursor, so a year of history
    never sits in memory whole.
    """
    postgres = engine.dialect.name == "postgresql"
    sql, params = query_sql(engine.dialect.name, states, since, until, packing=packing)
    connection = _connect(engine)
    try:
        cursor = connection.cursor(name="replay") if postgres else connection.cursor()
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch_size):
            yield rows
        cursor.close()
    except _reading(engine) as exc:
        raise ReplayError(f"cannot read the audit database: {_first_line(exc)}") from exc
    finally:
        connection.rollback()
        connection.close()


def message_ids(engine: Engine, seqs: Iterable[int]) -> dict[int, str]:
    """The message id of each outcome `seq` (examples are kept as seqs while streaming)."""
    wanted = sorted(set(seqs))
    if not wanted:
        return {}
    mark = "%s" if engine.dialect.name == "postgresql" else "?"
    found: dict[int, str] = {}
    connection = _connect(engine)
    try:
        cursor = connection.cursor()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            cursor.execute(
                f"SELECT seq, message_id FROM audit_outcomes"
                f" WHERE seq IN ({', '.join(mark for _ in chunk)})",
                chunk,
            )
            found.update((int(seq), str(mid)) for seq, mid in cursor.fetchall())
    except _reading(engine) as exc:
        raise ReplayError(f"cannot read the audit database: {_first_line(exc)}") from exc
    finally:
        connection.rollback()
        connection.close()
    return found
