"""A history written straight into the audit database at bulk speed:
staged, chained and moved into the audit tables in batches, never over a
database that already holds live traffic (unless appended)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select

from simulators.history.generator import HistoryGenerator, Row
from simulators.history.plan import HistoryError, HistoryPlan, HistoryResult
from switch.audit import chain
from switch.audit.verify import ANCHOR_OUTCOME
from switch.db.schema import audit_records
from switch.directory import Directory
from switch.policy import PolicyDecider

# One wide row per query, staged, then copied into both audit tables by the
# database: the shared values cross from Python once.
STAGE_COLUMNS = (
    ("id", "TEXT"), ("received_at", "TIMESTAMPTZ"), ("sender_ori", "TEXT"),
    ("message_key", "TEXT"), ("message_reason", "TEXT"), ("state", "TEXT"), ("fields", "TEXT"),
    ("latency_ms", "DOUBLE PRECISION"), ("warrant", "TEXT"), ("image", "INTEGER"),
    ("decision", "TEXT"), ("rule", "TEXT"), ("reason", "TEXT"), ("policy_version", "TEXT"),
    ("status", "TEXT"), ("response_key", "TEXT"), ("redacted", "TEXT"), ("obligations", "TEXT"),
    ("flagged", "INTEGER"), ("reported", "INTEGER"), ("shadow_decision", "TEXT"),
    ("shadow_rule", "TEXT"), ("shadow_version", "TEXT"),
)  # fmt: skip
# Each query's two places in the audit chain, added when its batch is linked.
CHAIN_STAGE_COLUMNS = (
    ("record_pos", "BIGINT"), ("record_hash", "TEXT"),
    ("outcome_pos", "BIGINT"), ("outcome_hash", "TEXT"),
)  # fmt: skip
STAGE = "history_stage"
# Every audit record written here names its sender so; nothing else does.
IDENTITY = "history/"
# INVARIANT: `_chain_rows` builds the same rows these copies write.
_TO_RECORDS = f"""
INSERT INTO audit_records (id, received_at, identity, sender_ori, message_key, control, reason,
    destinations, fields, outcome, er_code, http_status, detail, raw, latency_ms,
    chain_pos, chain_hash)
SELECT id, received_at, '{IDENTITY}' || sender_ori, sender_ori, message_key, NULL, message_reason,
    state, fields, 'routed', NULL, 200, NULL, NULL, latency_ms, record_pos, record_hash
FROM {STAGE} ORDER BY {{order}}
"""
_TO_OUTCOMES = f"""
INSERT INTO audit_outcomes (message_id, destination, state, decision, rule, reason,
    policy_version, status, response_key, response, latency_ms, warrant, redacted, obligations,
    flagged, reported, received_at, sender_ori, message_key, message_reason, image,
    shadow_decision, shadow_rule, shadow_version, chain_pos, chain_hash)
SELECT id, state, state, decision, rule, reason, policy_version, status, response_key, NULL,
    latency_ms, warrant, redacted, obligations, flagged, reported, received_at, sender_ori,
    message_key, message_reason, image, shadow_decision, shadow_rule, shadow_version,
    outcome_pos, outcome_hash
FROM {STAGE} ORDER BY {{order}}
"""
# Staged in time order: SQLite keeps it (rowid); PostgreSQL is told.
_ORDER = {False: "rowid", True: "received_at, id"}
# A bulk load's connection: temp tables in memory, a cache that holds the indexes' hot pages.
_SQLITE_LOAD = ("PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-200000")
_SQLITE_DONE = ("PRAGMA temp_store=DEFAULT", "PRAGMA cache_size=-2000")


def _stage(cursor: Any, postgres: bool) -> None:
    for pragma in () if postgres else _SQLITE_LOAD:
        cursor.execute(pragma)
    columns = ", ".join(
        f"{name} {kind if postgres else kind.replace('TIMESTAMPTZ', 'TEXT')}"
        for name, kind in STAGE_COLUMNS + CHAIN_STAGE_COLUMNS
    )
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ({columns})")


def _unstage(cursor: Any, postgres: bool) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    for pragma in () if postgres else _SQLITE_DONE:
        cursor.execute(pragma)


def _chain_rows(row: Row) -> tuple[dict[str, Any], dict[str, Any]]:
    """The audit record and outcome the copies make of a staged row."""
    (
        message_id, at, ori, key, reason, state, fields, latency, warrant, image, decision,
        rule, why, version, status, response_key, redacted, obligations, flagged, reported,
        shadow_decision, shadow_rule, shadow_version,
    ) = row  # fmt: skip
    record = {
        "id": message_id, "received_at": at, "identity": IDENTITY + ori, "sender_ori": ori,
        "message_key": key, "control": None, "reason": reason, "destinations": state,
        "fields": fields, "outcome": "routed", "er_code": None, "http_status": 200,
        "detail": None, "raw": None, "latency_ms": latency,
    }  # fmt: skip
    outcome = {
        "message_id": message_id, "destination": state, "state": state, "decision": decision,
        "rule": rule, "reason": why, "policy_version": version, "status": status,
        "response_key": response_key, "response": None, "latency_ms": latency,
        "warrant": warrant, "redacted": redacted, "obligations": obligations,
        "flagged": flagged, "reported": reported, "received_at": at, "sender_ori": ori,
        "message_key": key, "message_reason": reason, "image": image,
        "shadow_decision": shadow_decision, "shadow_rule": shadow_rule,
        "shadow_version": shadow_version,
    }  # fmt: skip
    return record, outcome


def _write_batch(conn: Connection, cursor: Any, rows: list[Row], postgres: bool) -> int:
    # Each query's record, then its outcome: the chain's order within a batch.
    contents: list[bytes] = []
    for row in rows:
        record, outcome = _chain_rows(row)
        contents.append(chain.content("audit_records", record))
        contents.append(chain.content("audit_outcomes", outcome))
    names = ", ".join(name for name, _ in STAGE_COLUMNS + CHAIN_STAGE_COLUMNS)
    connection = conn.connection
    try:
        chain.begin_write(conn)
        links = chain.advance(conn, contents)
        staged = [(*row, *links[2 * i], *links[2 * i + 1]) for i, row in enumerate(rows)]
        if postgres:
            with cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
                for row in staged:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in STAGE_COLUMNS + CHAIN_STAGE_COLUMNS)
            cursor.executemany(f"INSERT INTO {STAGE} ({names}) VALUES ({marks})", staged)
        cursor.execute(_TO_RECORDS.format(order=_ORDER[postgres]))
        cursor.execute(_TO_OUTCOMES.format(order=_ORDER[postgres]))
        cursor.execute(f"DELETE FROM {STAGE}")
        connection.commit()
    except Exception:
        connection.rollback()
        raise
    return len(rows)


def write_history(
    engine: Engine,
    plan: HistoryPlan,
    directory: Directory,
    decider: PolicyDecider,
    *,
    append: bool = False,
    batch_size: int = 50_000,
    on_progress: Callable[[int], None] | None = None,
) -> HistoryResult:
    """Write the plan's history into a migrated audit database, about
    `batch_size` queries per transaction; `on_progress` hears how many of the
    plan's queries are written so far (the planted ones come on top).
    A database with live traffic is refused unless `append`."""
    if not append:
        _refuse_live(engine)
    postgres = engine.dialect.name == "postgresql"
    generator = HistoryGenerator(plan, directory, decider, postgres=postgres)
    started = time.perf_counter()
    written = 0
    # The chain is linked through a SQLAlchemy connection; the rows go
    # through its driver connection at bulk speed.
    conn = engine.connect()
    connection = conn.connection
    cursor = connection.cursor()
    try:
        _stage(cursor, postgres)
        pending: list[Row] = []
        for day in generator.days():
            if not written and not pending and day:
                _refuse_rewrite(cursor, day[0][0], postgres)
            pending.extend(day)
            if len(pending) >= batch_size:
                written += _write_batch(conn, cursor, pending, postgres)
                pending = []
                if on_progress is not None:
                    on_progress(generator.background)
        if pending:
            written += _write_batch(conn, cursor, pending, postgres)
            if on_progress is not None:
                on_progress(generator.background)
    finally:
        connection.rollback()
        _unstage(cursor, postgres)
        connection.commit()
        cursor.close()
        conn.close()
    seconds = time.perf_counter() - started
    return HistoryResult(
        written,
        written,
        seconds,
        dict(generator.counts),
        planted=dict(generator.planted),
        truth=generator.truth,
    )


def _refuse_rewrite(cursor: Any, first_id: str, postgres: bool) -> None:
    mark = "%s" if postgres else "?"
    cursor.execute(f"SELECT 1 FROM audit_records WHERE id = {mark}", (first_id,))
    if cursor.fetchone() is not None:
        raise HistoryError(
            "this database already holds the history for this seed; "
            "use another --seed or a fresh database"
        )


def live_records(conn: Connection) -> int:
    """Audit records of live traffic: every one not written here, less prune
    anchors (they only say where the chain starts)."""
    r = audit_records.c
    return conn.execute(
        select(func.count()).where(
            or_(r.identity.is_(None), r.identity.not_like(f"{IDENTITY}%")),
            r.outcome != ANCHOR_OUTCOME,
        )
    ).scalar_one()


def _refuse_live(engine: Engine) -> None:
    # The chain runs in the order rows are written and prune removes only its
    # start: a past year written after live traffic would sit behind newer
    # rows for good.
    with engine.connect() as conn:
        live = live_records(conn)
    if live:
        raise HistoryError(
            f"this database already holds {live:,} audit records of live traffic; history "
            "written now would follow them in the audit chain, older rows after newer ones, "
            "where prune cannot remove it: use a fresh database, or --append to write it anyway"
        )
