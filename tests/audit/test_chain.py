"""The audit hash chain: an intact chain verifies; a row altered, removed or
inserted is caught and named; writers in several engines and processes keep
one chain; rows already there, the simulated history and both databases
hash alike. Prune: tests/audit/test_prune.py."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from sqlalchemy import DateTime, Engine, Float, Integer, String, create_engine, insert, select
from sqlalchemy import text as sql
from sqlalchemy.exc import DataError, IntegrityError
from typer.testing import CliRunner

from switch.audit import chain
from switch.audit.records import LateOutcomes, Outcome
from switch.audit.verify import verify
from switch.audit.writer import _RECORD_COLUMNS
from switch.cli import app
from switch.db.database import MIGRATIONS, migrate, open_engine
from switch.db.schema import audit_chain_head, audit_records
from tests.utils.audit_chain import NOW, finding, record, run_sql, write, write_aged

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def audited(engine: Engine) -> Engine:
    """Ten messages (a record and two outcomes each) and one late outcome."""
    write(engine, [record(n, NOW - timedelta(minutes=n)) for n in range(10)])
    late = Outcome("CA", "CA", "permit", None, None, "v1", "answered", latency_ms=7)
    write(engine, [LateOutcomes(record(3, NOW).id, [late], [])])
    return engine


def _position(engine: Engine, table: str, seq: int) -> int:
    with engine.connect() as conn:
        pos = conn.execute(sql(f"SELECT chain_pos FROM {table} WHERE seq = :s"), {"s": seq})
        return int(pos.scalar_one())


# -- an intact chain ----------------------------------------------------------


def test_an_intact_chain_verifies(audited: Engine) -> None:
    verdict = verify(audited)
    assert verdict.intact, verdict.finding
    assert (verdict.records, verdict.outcomes) == (10, 21)
    assert (verdict.start, verdict.head) == (1, 31)


def test_progress_is_reported_to_the_end(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    write(engine, [record(n, NOW) for n in range(10)])
    heard: list[tuple[int, int]] = []
    verify(engine, page=4, on_progress=lambda done, total: heard.append((done, total)))
    engine.dispose()
    assert heard[-1] == (30, 30) and len(heard) > 2


def test_content_covers_every_column_the_writer_writes() -> None:
    # A column the writer leaves to a default would be stored but not hashed.
    assert set(chain.hashed_columns("audit_records")) == set(_RECORD_COLUMNS)
    outcome = {"message_id"} | {f.name for f in fields(Outcome)}
    assert set(chain.hashed_columns("audit_outcomes")) == outcome


# -- three ways to tamper -------------------------------------------------------


def test_an_altered_row_is_named(audited: Engine) -> None:
    run_sql(audited, "UPDATE audit_records SET received_at = :t WHERE seq = 4", t=NOW)
    found = finding(audited)
    assert (found.problem, found.table, found.seq) == ("altered", "audit_records", 4)
    assert found.message_id == record(3, NOW).id
    # An earlier change is the first one named.
    run_sql(audited, "UPDATE audit_outcomes SET decision = 'permit' WHERE seq = 2")
    found = finding(audited)
    assert (found.problem, found.table, found.seq) == ("altered", "audit_outcomes", 2)
    assert found.position == _position(audited, "audit_outcomes", 2) == 3


def test_a_removed_row_is_named_by_its_place(audited: Engine) -> None:
    run_sql(audited, "DELETE FROM audit_outcomes WHERE chain_pos >= 30")
    found = finding(audited)
    assert (found.problem, found.position) == ("removed", 30)
    assert "positions 30-31 missing: after audit_outcomes seq 19, up to" in found.detail
    gone = _position(audited, "audit_outcomes", 3)
    run_sql(audited, "DELETE FROM audit_outcomes WHERE seq = 3")
    found = finding(audited)
    assert (found.problem, found.position) == ("removed", gone)
    assert "after audit_records seq 2, before audit_outcomes seq 4" in found.detail


def test_an_inserted_row_is_named(audited: Engine) -> None:
    run_sql(
        audited,
        "INSERT INTO audit_outcomes (message_id, destination, decision, policy_version, "
        "status, latency_ms, flagged, reported, image) "
        "VALUES ('forged', 'WA', 'permit', 'v1', 'answered', 1, 0, 0, 0)",
    )
    found = finding(audited)
    assert (found.problem, found.table, found.seq) == ("inserted", "audit_outcomes", 22)
    assert "no place in the chain" in found.detail
    # A forger who renumbers every later row to make room and moves the head.
    at = _position(audited, "audit_outcomes", 5)
    for table in ("audit_records", "audit_outcomes"):
        run_sql(
            audited, f"UPDATE {table} SET chain_pos = -chain_pos - 1 WHERE chain_pos >= :p", p=at
        )
        run_sql(audited, f"UPDATE {table} SET chain_pos = -chain_pos WHERE chain_pos < 0")
    run_sql(
        audited,
        "INSERT INTO audit_records (id, received_at, outcome, http_status, latency_ms, "
        "chain_pos, chain_hash) VALUES ('forged', :t, 'routed', 200, 1, :p, :h)",
        t=NOW,
        p=at,
        h="f" * 64,
    )
    run_sql(audited, "UPDATE audit_chain_head SET pos = pos + 1")
    found = finding(audited)
    assert (found.problem, found.table, found.position) == ("inserted", "audit_records", at)
    assert found.message_id == "forged"


_VALUES: dict[type, st.SearchStrategy[Any]] = {
    Integer: st.integers(-(2**31), 2**31 - 1),
    Float: st.floats(allow_nan=False, allow_infinity=False, width=64),
    DateTime: st.datetimes(datetime(1971, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
}
_TEXT = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")


@st.composite
def _alteration(draw: st.DrawFn) -> tuple[str, int, str, Any]:
    table = chain.CHAINED[draw(st.sampled_from(sorted(chain.CHAINED)))]
    row = draw(st.integers(1, 10))
    column = table.c[draw(st.sampled_from(chain.hashed_columns(table.name)))]
    kind = type(column.type)
    strategy: st.SearchStrategy[Any]
    if isinstance(column.type, String):
        strategy = st.text(_TEXT, max_size=column.type.length or 40)
    else:
        strategy = _VALUES[next(k for k in _VALUES if issubclass(kind, k))]
    if column.nullable:
        strategy = st.none() | strategy
    return table.name, row, column.name, draw(strategy)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(change=_alteration())
def test_any_single_alteration_is_caught(
    audited: Engine, change: tuple[str, int, str, Any]
) -> None:
    name, seq, column, value = change
    table = chain.CHAINED[name]
    with audited.connect() as conn:
        before = conn.execute(select(table.c[column]).where(table.c.seq == seq)).scalar()
    probe = {column: before}, {column: value}
    if chain.content(name, probe[0]) == chain.content(name, probe[1]):
        reject()  # the same value as stored
    try:
        with audited.begin() as conn:
            conn.execute(table.update().where(table.c.seq == seq).values({column: value}))
    except (IntegrityError, DataError):
        reject()  # the database refuses it (a duplicate id, a value out of range)
    try:
        found = finding(audited)
        assert (found.problem, found.table, found.seq) == ("altered", name, seq)
    finally:
        with audited.begin() as conn:
            conn.execute(table.update().where(table.c.seq == seq).values({column: before}))
    assert verify(audited).intact


# -- concurrency --------------------------------------------------------------


def _assert_one_chain(engine: Engine, records: int) -> None:
    verdict = verify(engine)
    assert verdict.intact, verdict.finding
    assert verdict.records == records and verdict.head == 3 * records
    with engine.connect() as conn:
        head = conn.execute(select(audit_chain_head)).one()
    assert head.pos == 3 * records


def test_two_writers_in_two_engines_keep_one_chain(engine: Engine, database_url: str) -> None:
    other = open_engine(database_url)
    start = threading.Barrier(2)

    def one_writer(target: Engine, prefix: str) -> None:
        start.wait()
        write(target, [record(n, NOW, prefix) for n in range(150)])

    threads = [
        threading.Thread(target=one_writer, args=(target, prefix))
        for target, prefix in ((engine, "a"), (other, "b"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    _assert_one_chain(engine, 300)


# A second process: only the writer and its records, no test machinery.
_WRITER = """
import asyncio, sys
from datetime import UTC, datetime
from switch.db.database import open_engine
from switch.audit.records import AuditRecord, Outcome
from switch.audit.writer import GroupCommitWriter
url, prefix = sys.argv[1:]
now = datetime.now(UTC)
writer = GroupCommitWriter(open_engine(url))
writer.start()
def record(n):
    outcomes = [Outcome(s, s, "permit", None, None, "v1", "answered", received_at=now)
                for s in ("WA", "OR")]
    return AuditRecord(f"{prefix}{n:031d}", now, "test", "NY0303000", "DQ", None, None,
                       "WA,OR", None, "routed", None, 200, None, None, 1.0, outcomes)
async def main():
    await asyncio.gather(*(writer.write(record(n)) for n in range(200)))
asyncio.run(main())
writer.stop()
"""


def test_two_processes_keep_one_chain(engine: Engine, database_url: str) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, database_url, prefix], cwd=ROOT)
        for prefix in ("p", "q")
    ]
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    _assert_one_chain(engine, 400)


# -- what existed before the chain, what the history simulator writes ------------


def test_the_migration_chains_rows_already_there(database_url: str) -> None:
    engine = open_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
    first = record(0, NOW)
    with engine.begin() as conn:
        # The columns audit records had then (those added since are NULL on old rows).
        columns = chain.V1_COLUMNS["audit_records"]
        conn.execute(insert(audit_records).values({c: getattr(first, c) for c in columns}))
        conn.execute(
            sql(
                "INSERT INTO audit_outcomes (message_id, destination, decision, policy_version, "
                "status, latency_ms) VALUES ('x', 'WA', 'deny', 'v', 'rejected', 2)"
            )
        )
    migrate(engine)
    verdict = verify(engine)
    engine.dispose()
    assert verdict.intact, verdict.finding
    assert (verdict.records, verdict.outcomes) == (1, 1)


@pytest.mark.postgres
def test_sqlite_and_postgresql_hash_alike(sqlite_url: str, postgres_database: str) -> None:
    heads = []
    for url in (sqlite_url, postgres_database):
        if url == postgres_database:
            admin = create_engine(url)
            with admin.begin() as conn:
                conn.execute(sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            admin.dispose()
        engine = open_engine(url)
        migrate(engine)
        for n in range(5):  # one at a time: the same order on both
            write(engine, [record(n, NOW - timedelta(hours=n))])
        heads.append(verify(engine).head_hash)
        engine.dispose()
    assert heads[0] == heads[1]


def test_the_simulated_history_is_chained(engine: Engine) -> None:
    from simulators.history import HistoryPlan, write_history
    from switch.directory import Directory
    from switch.policy import PolicyStore

    plan = HistoryPlan(2025, 0.00001, seed=1)
    result = write_history(
        engine, plan, Directory.load(), PolicyStore.load(ROOT / "policies"), batch_size=1_000
    )
    verdict = verify(engine)
    assert verdict.intact, verdict.finding
    # The public figures' queries and the side doors planted among them, all chained.
    planted = sum(result.planted.values())
    assert planted > 0
    assert verdict.records == verdict.outcomes == 2_900 + planted


# -- the CLI ------------------------------------------------------------------------


@pytest.fixture
def cli_db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI reads the database the library does; SQLite is enough here."""
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    engine = open_engine(sqlite_url)
    migrate(engine)
    yield write_aged(engine)
    engine.dispose()


def test_cli_verify_says_intact_and_exits_0(cli_db: Engine) -> None:
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("chain intact: 18 records (6 audit records, 12 outcomes)")
    shown = json.loads(runner.invoke(app, ["audit", "verify", "--json"]).stdout)
    assert shown["intact"] and shown["head"] == 18


def test_cli_verify_names_the_first_bad_record_and_exits_1(cli_db: Engine) -> None:
    run_sql(cli_db, "UPDATE audit_outcomes SET reason = NULL WHERE seq = 4")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "audit chain broken: altered audit_outcomes seq 4" in " ".join(result.stderr.split())
    shown = json.loads(runner.invoke(app, ["audit", "verify", "--json"]).stdout)
    assert (shown["intact"], shown["problem"]) == (False, "altered")


def test_cli_verify_exits_2_when_it_cannot_check(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--db", "nosuchdriver://x"])
    assert result.exit_code == 2
    assert "cannot open the audit database" in result.stderr
