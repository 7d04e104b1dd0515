"""Reading the audit for the detector: the refusals, then every later query
that names a refused subject, found by the database.

Refusals of federal immigration requesters are few (hundreds in a million
queries), so they go into a temporary table keyed by how a query names
the subject, and the database joins every recorded query against it in
slices of `seq`: one pass over the audit, each row's fields read by the
database (`json_extract`, or `->>` on PostgreSQL), never decoded in
Python. Only the linked pairs come back; memory holds one slice's matches.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from switch.errors import SwitchError
from switch.messages.model import QUERY_KEYS
from switch.messages.subjects import lookup_value, subject_keys

SLICE = 250_000  # records per statement: progress between, matches bounded
TEMP = "proxy_refused"


class ProxyError(SwitchError):
    """The detector cannot run as asked: no database, a bad window."""

    http_status = 422
    code = "PROXIES_INVALID"


@dataclass(frozen=True, slots=True)
class RefusalRow:
    id: str
    at: datetime
    ori: str
    state: str
    fields: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class LinkedRow:
    """A recorded query naming a refused subject at its state, in the window."""

    id: str
    at: datetime
    ori: str
    key: str
    destinations: str
    fields: Mapping[str, str]
    refusal_id: str


def _text(at: datetime) -> str:
    # SQLite holds SQLAlchemy's DateTime text (UTC): compare as text in that form.
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _fields(text: str | None) -> dict[str, str]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _field_sql(dialect: str, name: str) -> str:
    read = (
        f"(r.fields::json ->> '{name}')"
        if dialect == "postgresql"
        else (f"json_extract(r.fields, '$.{name}')")
    )
    # The same normalisation as switch.messages.subjects.lookup_value, done by the database.
    if name == "NAM":
        return f"'NAM:' || upper(replace({read}, ' ', ''))"
    return f"'{name}:' || upper(replace(replace({read}, ' ', ''), '-', ''))"


class AuditReader:
    """One connection's reads: refusals, the refused subjects' table, the links."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.mark = "%s" if self.dialect == "postgresql" else "?"
        if self.dialect == "sqlite":
            database = engine.url.database
            # sqlite3 would create an empty file: a typo must not look like a quiet history.
            if database and database != ":memory:" and not Path(database).is_file():
                raise ProxyError(f"no audit database at {database}")
        try:
            self.connection = engine.raw_connection()
        except SQLAlchemyError as exc:
            raise ProxyError(f"cannot open the audit database: {_first_line(exc)}") from exc

    def close(self) -> None:
        self.connection.close()

    def _bound(self, at: datetime) -> Any:
        return at.astimezone(UTC) if self.dialect == "postgresql" else _text(at)

    def _run(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []
        except Exception as exc:  # the DBAPI's own errors: no common base class
            self.connection.rollback()
            raise ProxyError(f"cannot read the audit: {_first_line(exc)}") from exc
        finally:
            cursor.close()

    def refusals(
        self,
        oris: list[str],
        state: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> list[RefusalRow]:
        """Every refusal of these requesters (at `state`), from `since` to `until`."""
        if not oris:
            return []
        m = self.mark
        sql = (
            "SELECT o.message_id, o.received_at, o.sender_ori, o.state, r.fields"
            " FROM audit_outcomes o JOIN audit_records r ON r.id = o.message_id"
            f" WHERE o.decision = 'deny' AND o.sender_ori IN ({', '.join(m for _ in oris)})"
        )
        params: list[Any] = list(oris)
        if state is not None:
            sql += f" AND o.state = {m}"
            params.append(state)
        for bound, op in ((since, ">="), (until, "<")):
            if bound is not None:
                sql += f" AND o.received_at {op} {m}"
                params.append(self._bound(bound))
        rows = self._run(sql + " ORDER BY o.received_at, o.message_id", params)
        return [RefusalRow(i, _moment(at), ori, st, _fields(f)) for i, at, ori, st, f in rows]

    def stage(self, refusals: list[RefusalRow], window: timedelta) -> int:
        """The refused subjects, as the database is asked for them; how many keys."""
        at_type = "TIMESTAMPTZ" if self.dialect == "postgresql" else "TEXT"
        self._run(f"DROP TABLE IF EXISTS {TEMP}", [])
        self._run(
            f"CREATE TEMP TABLE {TEMP} (value TEXT, state TEXT, at {at_type},"
            f" until {at_type}, refusal_id TEXT)",
            [],
        )
        staged = []
        for refusal in refusals:
            for key in subject_keys(refusal.fields, refusal.at.date()):
                field, value = lookup_value(key)
                staged.append(
                    (
                        f"{field}:{value}",
                        refusal.state,
                        self._bound(refusal.at),
                        self._bound(refusal.at + window),
                        refusal.id,
                    )
                )
        m = self.mark
        cursor = self.connection.cursor()
        try:
            cursor.executemany(f"INSERT INTO {TEMP} VALUES ({m}, {m}, {m}, {m}, {m})", staged)
        finally:
            cursor.close()
        self._run(f"CREATE INDEX {TEMP}_value ON {TEMP} (value)", [])
        if self.dialect == "postgresql":
            self._run(f"ANALYZE {TEMP}", [])
        return len(staged)

    def span(self) -> tuple[int, int, int]:
        """(first seq, last seq, records) of the audit: what one pass reads."""
        rows = self._run("SELECT min(seq), max(seq), count(*) FROM audit_records", [])
        first, last, count = rows[0]
        return int(first or 0), int(last or 0), int(count or 0)

    def linked(
        self,
        first: int,
        last: int,
        since: datetime | None,
        until: datetime | None,
        on_progress: Callable[[int], None] | None = None,
    ) -> Iterator[LinkedRow]:
        """Every query from `since` to `until` naming a staged subject at its
        state after the refusal and within its window, slice by slice."""
        m, d = self.mark, self.dialect
        keys = sorted(QUERY_KEYS)
        values = ", ".join(_field_sql(d, name) for name in ("OLN", "NAM", "LIC"))
        sql = (
            "SELECT r.id, r.received_at, r.sender_ori, r.message_key, r.destinations,"
            f" r.fields, t.refusal_id FROM audit_records r JOIN {TEMP} t"
            f" ON t.value IN ({values}) AND r.received_at > t.at"
            " AND r.received_at <= t.until AND r.destinations = t.state"
            f" WHERE r.seq >= {m} AND r.seq < {m}"
            f" AND r.message_key IN ({', '.join(m for _ in keys)})"
        )
        extra: list[Any] = list(keys)
        for bound, op in ((since, ">="), (until, "<")):
            if bound is not None:
                sql += f" AND r.received_at {op} {m}"
                extra.append(self._bound(bound))
        done = 0
        for start in range(first, last + 1, SLICE):
            for row in self._run(sql, [start, start + SLICE, *extra]):
                rid, at, ori, key, dest, fields, refusal_id = row
                yield LinkedRow(
                    rid, _moment(at), ori or "", key or "", dest or "", _fields(fields), refusal_id
                )
            done = min(last, start + SLICE - 1) - first + 1
            if on_progress is not None:
                on_progress(done)

    def decisions(self, ids: list[str]) -> dict[tuple[str, str], str]:
        """(message id, state) → the recorded decision, for the linked queries."""
        out: dict[tuple[str, str], str] = {}
        m = self.mark
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self._run(
                "SELECT message_id, state, decision FROM audit_outcomes"
                f" WHERE message_id IN ({', '.join(m for _ in chunk)})",
                chunk,
            )
            out.update({(i, s): dec for i, s, dec in rows})
        return out


def _first_line(exc: BaseException) -> str:
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [repr(exc)])[0]
