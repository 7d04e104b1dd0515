"""Retention: prune deletes the oldest audit and leaves an anchor the chain
verifies from; it keeps a year unless forced, refuses a broken chain, never
drops unread mailbox items; moving the chain's start past the anchor shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy import text as sql
from typer.testing import CliRunner

from simulators.history import HistoryPlan, write_history
from switch.audit.prune import PruneRefused, describe, prune
from switch.audit.signing import AuditKey
from switch.audit.verify import verify
from switch.cli import app
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_records, mailbox
from switch.directory import Directory
from switch.policy import PolicyStore
from tests.utils.audit_chain import (
    NOW,
    audit_key,
    finding,
    record,
    run_sql,
    write,
    write_aged,
)

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def key(tmp_path: Path) -> AuditKey:
    return audit_key(tmp_path)


@pytest.fixture
def aged(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    yield write_aged(engine)
    engine.dispose()


def test_prune_keeps_the_chain_verifiable(aged: Engine, key: AuditKey) -> None:
    result = prune(aged, NOW - timedelta(days=600), by="test", key=key, now=NOW)
    assert (result.records, result.outcomes, result.mailbox) == (2, 4, 1)
    verdict = verify(aged, keys=key.trusted())
    assert verdict.intact, verdict.finding
    assert verdict.start == result.start == 7
    assert verdict.records == 5  # four kept and the anchor
    with aged.connect() as conn:
        anchor = conn.execute(
            select(audit_records).where(audit_records.c.id == result.anchor_id)
        ).one()
        owed = conn.execute(select(mailbox.c.seq)).scalars().all()
    assert anchor.outcome == "pruned" and anchor.identity == "test"
    detail = json.loads(anchor.detail)
    assert detail["positions"] == [1, 6] and detail["by"] == "test"
    assert 2 in owed  # never an unacknowledged item

    again = prune(aged, NOW - timedelta(days=400), by="test", key=key, now=NOW)
    assert (again.records, again.start) == (2, 13)
    assert verify(aged, keys=key.trusted()).intact


def test_prune_refuses_the_last_year_unless_forced(aged: Engine, key: AuditKey) -> None:
    with pytest.raises(PruneRefused, match="younger than a year"):
        prune(aged, NOW - timedelta(days=364), by="test", key=key, now=NOW)
    assert verify(aged, keys=key.trusted()).records == 6
    result = prune(aged, NOW - timedelta(days=35), by="test", key=key, now=NOW, force=True)
    assert result.records == 4
    assert verify(aged, keys=key.trusted()).intact


def test_prune_refuses_a_broken_chain(aged: Engine, key: AuditKey) -> None:
    run_sql(aged, "UPDATE audit_outcomes SET decision = 'permit' WHERE seq = 2")
    with pytest.raises(PruneRefused, match="altered audit_outcomes seq 2"):
        prune(aged, NOW - timedelta(days=600), by="test", key=key, now=NOW)


def _cut_front(engine: Engine, below: int) -> None:
    """What a forger hiding the oldest rows would do: delete them and move
    the head's start past them, with the hash the chain has there."""
    with engine.begin() as conn:
        digest = conn.execute(
            sql(
                "SELECT chain_hash FROM audit_records WHERE chain_pos = :p UNION ALL "
                "SELECT chain_hash FROM audit_outcomes WHERE chain_pos = :p"
            ),
            {"p": below - 1},
        ).scalar_one()
        for table in ("audit_records", "audit_outcomes"):
            conn.execute(sql(f"DELETE FROM {table} WHERE chain_pos < :p"), {"p": below})
        conn.execute(
            sql("UPDATE audit_chain_head SET start_pos = :p, start_hash = :h"),
            {"p": below, "h": digest},
        )


def test_removing_the_oldest_rows_without_an_anchor_is_caught(aged: Engine, key: AuditKey) -> None:
    _cut_front(aged, 4)
    found = finding(aged, key.trusted())
    assert (found.problem, found.position) == ("removed", 1)
    assert "no prune anchor" in found.detail


def test_moving_the_start_past_the_prune_anchor_is_caught(aged: Engine, key: AuditKey) -> None:
    prune(aged, NOW - timedelta(days=600), by="test", key=key, now=NOW)
    _cut_front(aged, 10)
    found = finding(aged, key.trusted())
    assert (found.problem, found.position) == ("removed", 7)
    assert "the last prune anchor says 7" in found.detail


@pytest.fixture
def cli_db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    engine = open_engine(sqlite_url)
    migrate(engine)
    yield write_aged(engine)
    engine.dispose()


def test_cli_prune_refuses_a_recent_date_then_prunes_when_forced(cli_db: Engine) -> None:
    soon = (datetime.now(UTC) - timedelta(days=100)).strftime("%Y-%m-%d")
    refused = runner.invoke(app, ["audit", "prune", "--before", soon])
    assert refused.exit_code == 1
    assert "younger than a year" in refused.stderr and "--force" in refused.stderr
    assert verify(cli_db).records == 6

    cut = (NOW - timedelta(days=600)).strftime("%Y-%m-%d")
    done = runner.invoke(app, ["audit", "prune", "--before", cut, "--force"])
    assert done.exit_code == 0, done.stderr
    assert "pruned 2 records and 4 outcomes" in done.stdout
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


# -- older audit after newer audit in the chain ------------------------------

# Every row of the year to September 2024 is older than this.
CUT = datetime(2025, 1, 1, tzinfo=UTC)
WHY = (
    "prune removes only the start of the chain, since each row's hash links it to the one "
    "before and a cut further in would break the chain it keeps"
)


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


@pytest.fixture(scope="module")
def store() -> PolicyStore:
    return PolicyStore.load(ROOT / "policies")


@pytest.fixture
def fresh(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _history_after(
    engine: Engine, directory: Directory, store: PolicyStore, *ats: datetime
) -> None:
    """Traffic at each of `ats`, in that order, then 2,900 queries of the year
    to September 2024 appended behind it."""
    for n, at in enumerate(ats):
        write(engine, [record(n, at)])
    plan = HistoryPlan(2024, 0.00001, seed=1)
    write_history(engine, plan, directory, store, append=True)


def test_prune_says_why_it_keeps_older_records_behind_newer_ones(
    fresh: Engine, directory: Directory, store: PolicyStore, key: AuditKey
) -> None:
    _history_after(fresh, directory, store, NOW, NOW)
    result = prune(fresh, CUT, by="test", key=key, now=NOW)
    assert result.anchor_id is None and result.start == 1
    assert describe(result) == (
        "nothing pruned: 2,900 audit records and 2,900 outcomes are older than 2025-01-01 "
        "but lie after newer ones in the audit chain (from position 7 on; the chain starts "
        f"at position 1 with a row from 2026-11-26); {WHY}"
    )
    assert verify(fresh, keys=key.trusted()).rows == 6 + 5_800


def test_prune_takes_the_old_start_and_says_what_older_it_kept(
    fresh: Engine, directory: Directory, store: PolicyStore, key: AuditKey
) -> None:
    _history_after(fresh, directory, store, datetime(2024, 6, 1, tzinfo=UTC), NOW)
    result = prune(fresh, CUT, by="test", key=key, now=NOW)
    assert (result.records, result.outcomes, result.start) == (1, 2, 4)
    assert describe(result).splitlines() == [
        "pruned 1 records and 2 outcomes older than 2025-01-01; the chain now starts at "
        f"position 4 (anchor {result.anchor_id})",
        "kept 2,900 audit records and 2,900 outcomes older than 2025-01-01: they lie after "
        "newer ones in the audit chain (from position 7 on; the chain starts at position 4 "
        f"with a row from 2026-11-26); {WHY}",
    ]
    verdict = verify(fresh, keys=key.trusted())
    assert verdict.intact and verdict.records == 1 + 2_900 + 1  # the anchor too


def test_cli_prune_names_the_older_records_it_keeps(
    sqlite_url: str, directory: Directory, store: PolicyStore
) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    today = datetime.now(UTC)
    _history_after(engine, directory, store, today)
    engine.dispose()
    done = runner.invoke(app, ["audit", "prune", "--before", "2025-01-01", "--db", sqlite_url])
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines() == [
        "nothing pruned: 2,900 audit records and 2,900 outcomes are older than 2025-01-01 "
        "but lie after newer ones in the audit chain (from position 4 on; the chain starts "
        f"at position 1 with a row from {today:%Y-%m-%d}); {WHY}"
    ]
