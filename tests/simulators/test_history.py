"""The simulated year of audit history: its size follows the scale, ICE and
HSI counts are exact, every decision is what today's policies decide, and a
seed always writes the same rows."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from simulators.history import (
    FEDERAL_QUERIES,
    HistoryError,
    HistoryGenerator,
    HistoryPlan,
    HistoryProfile,
    apportion,
    live_records,
    write_history,
)
from switch.audit.prune import prune
from switch.cli.sim import app as sim_app
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_outcomes, audit_records
from switch.directory import Directory
from switch.messages.model import Message
from switch.policy import Facts, PolicyRequest, PolicyStore
from tests.utils.audit_chain import audit_key, record, write

ROOT = Path(__file__).resolve().parents[2]
SCALE = 0.00005  # 14,500 queries: ICE 15, HSI 30
# A seed whose small history holds ICE and HSI queries to Washington (most do not).
SEED = 6
# The public figures alone: no side doors planted (those are tested in test_history_relays).
BACKGROUND = HistoryProfile("background")
runner = CliRunner()


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


@pytest.fixture(scope="module")
def store() -> PolicyStore:
    return PolicyStore.load(ROOT / "policies")


@pytest.fixture
def history(database_url: str, directory: Directory, store: PolicyStore) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    plan = HistoryPlan(2025, SCALE, seed=SEED, profile=BACKGROUND)
    write_history(engine, plan, directory, store, batch_size=5_000)
    yield engine
    engine.dispose()


def test_counts_follow_the_public_figures() -> None:
    million = HistoryPlan(2025, 0.00345).counts()
    assert sum(million.values()) == round(290_000_000 * 0.00345) == 1_000_500
    assert (million["ICE-ERO"], million["ICE-HSI"]) == (1_008, 2_088)
    full = HistoryPlan(2025, 1.0).counts()
    assert (full["ICE-ERO"], full["ICE-HSI"], sum(full.values())) == (292_114, 605_116, 290_000_000)
    # The federal share is small; state and local agencies make most queries.
    assert full["state-local"] / 290_000_000 > 0.97
    assert HistoryPlan(2025, 0.00001).counts()["ICE-ERO"] == 3


def test_apportion_is_exact() -> None:
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(1_008, [1.0 + i % 7 for i in range(365)])) == 1_008


def _sender_components(engine: Engine, directory: Directory) -> Counter[str | None]:
    with engine.connect() as conn:
        senders = conn.execute(
            select(audit_outcomes.c.sender_ori, func.count()).group_by(audit_outcomes.c.sender_ori)
        ).all()
    found: Counter[str | None] = Counter()
    for ori, n in senders:
        agency = directory.get(ori)
        assert agency is not None, f"{ori} is not in the directory"
        found[agency.component] += n
    return found


def test_rows_scale_and_ice_hsi_are_exact(history: Engine, directory: Directory) -> None:
    with history.connect() as conn:
        records = conn.execute(select(func.count()).select_from(audit_records)).scalar_one()
        outcomes = conn.execute(select(func.count()).select_from(audit_outcomes)).scalar_one()
        first, last = conn.execute(
            select(func.min(audit_outcomes.c.received_at), func.max(audit_outcomes.c.received_at))
        ).one()
        ids = conn.execute(select(func.count(func.distinct(audit_records.c.id)))).scalar_one()
        states = set(conn.execute(select(audit_outcomes.c.state).distinct()).scalars())
    assert records == outcomes == ids == 14_500
    # Only states whose DMVs answer, though federal offices sit in GU and VI too.
    assert states <= set(directory.states()) and len(states) > 40
    components = _sender_components(history, directory)
    assert components["ICE-ERO"] == 15 and components["ICE-HSI"] == 30
    assert components["CBP"] == round(FEDERAL_QUERIES["CBP"] * SCALE)
    assert _utc(first) >= datetime(2024, 10, 1, tzinfo=UTC)
    assert _utc(last) < datetime(2025, 10, 1, tzinfo=UTC)


def _utc(at: datetime) -> datetime:
    """SQLite gives the stored UTC text back naive; PostgreSQL in its session zone."""
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def test_the_year_has_a_weekly_rhythm(history: Engine) -> None:
    with history.connect() as conn:
        times = [_utc(t) for t in conn.execute(select(audit_outcomes.c.received_at)).scalars()]
    weekdays = Counter(t.weekday() for t in times)
    assert min(weekdays[d] for d in range(5)) > max(weekdays[5], weekdays[6])
    hours = Counter(t.hour for t in times)
    assert hours[17] > 2 * hours[5]  # a US afternoon is busier than a US night


def test_every_decision_is_what_the_policies_in_force_decide(
    history: Engine, directory: Directory, store: PolicyStore
) -> None:
    o = audit_outcomes.c
    with history.connect() as conn:
        classes = conn.execute(
            select(
                o.state, o.sender_ori, o.message_key, o.message_reason, o.image, o.warrant,
                o.decision, o.rule, o.policy_version, o.shadow_decision, o.status, func.count(),
            ).group_by(
                o.state, o.sender_ori, o.message_key, o.message_reason, o.image, o.warrant,
                o.decision, o.rule, o.policy_version, o.shadow_decision, o.status,
            )
        ).all()  # fmt: skip
    assert len(classes) > 1_000
    for (
        state,
        ori,
        key,
        reason,
        image,
        warrant,
        decision,
        rule,
        version,
        shadow,
        status,
        _,
    ) in classes:
        agency = directory.get(ori)
        assert agency is not None
        # The subject's identifiers are not facts a shipped policy tests.
        fields = ({"RSN": reason} if reason != "none" else {}) | ({"IMQ": "Y"} if image else {})
        message = Message(key, ori, (state,), fields)
        ruling = store.ruling(state, Facts.of(PolicyRequest(agency, state, message, warrant)))
        want = ruling.decision
        assert (decision, rule, version) == (want.effect, want.rule, want.version)
        assert shadow == (ruling.shadow.effect if ruling.shadow else None)
        assert status == ("answered" if decision == "permit" else "rejected")


def test_washington_refuses_every_ice_query_without_a_judicial_warrant(
    history: Engine, directory: Directory
) -> None:
    immigration = {a.ori for a in directory if a.component in ("ICE-ERO", "ICE-HSI")}
    border = {a.ori for a in directory if a.component == "CBP"}
    o = audit_outcomes.c
    with history.connect() as conn:
        rows = conn.execute(
            select(o.sender_ori, o.warrant, o.decision, o.rule).where(o.state == "WA")
        ).all()
    ice = [r for r in rows if r.sender_ori in immigration and r.warrant != "judicial"]
    assert ice, "the seeded history should hold ICE or HSI queries to Washington"
    assert {(r.decision, r.rule) for r in ice} == {("deny", "wa-no-ice")}
    cbp = [r for r in rows if r.sender_ori in border]
    assert cbp and {r.decision for r in cbp} == {"permit"}


def _rows(plan: HistoryPlan, directory: Directory, store: PolicyStore) -> list[tuple[Any, ...]]:
    return [row for day in HistoryGenerator(plan, directory, store).days() for row in day]


def test_a_seed_always_writes_the_same_history(directory: Directory, store: PolicyStore) -> None:
    plan = HistoryPlan(2025, 0.00002, seed=11, profile=BACKGROUND)
    first = _rows(plan, directory, store)
    assert len(first) == 5_800
    assert first == _rows(plan, directory, store)
    other = _rows(HistoryPlan(2025, 0.00002, seed=12, profile=BACKGROUND), directory, store)
    assert len(other) == len(first) and other != first
    assert [r[1] for r in first] == sorted(r[1] for r in first)  # in time order


def test_writing_the_same_seed_twice_is_refused(
    history: Engine, directory: Directory, store: PolicyStore
) -> None:
    with pytest.raises(HistoryError, match="already holds the history for this seed"):
        write_history(
            history, HistoryPlan(2025, SCALE, seed=SEED, profile=BACKGROUND), directory, store
        )
    with history.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_records)).scalar_one() == 14_500
        # The staging table does not outlive the load.
        assert "history_stage" not in _tables(conn)


def _tables(conn: Any) -> set[str]:
    if conn.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_temp_master UNION SELECT name FROM sqlite_master"
    else:
        query = "SELECT tablename FROM pg_tables"
    return {name for (name,) in conn.execute(text(query))}


def cli() -> typer.Typer:
    """What the lead registers: `app.add_typer(sim.app, name="sim")`."""
    root = typer.Typer()
    root.add_typer(sim_app, name="sim")
    return root


def test_the_command_prints_a_json_summary(sqlite_url: str, tmp_path: Path) -> None:
    # The truth goes beside a SQLite file; on the PostgreSQL pass it is told where.
    truth = ["--truth", str(tmp_path / "truth.jsonl")]
    args = ["sim", "history", "--scale", "0.00001", "--db", sqlite_url, "--seed", "3", *truth]
    result = runner.invoke(cli(), args)
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["records"], summary["outcomes"]) == (2_900, 2_900)
    assert summary["by_requester"]["ICE-ERO"] == 3 and summary["by_requester"]["ICE-HSI"] == 6
    assert "wrote 2,900 audit records" in result.stderr and "rows/s" in result.stderr
    again = runner.invoke(cli(), args)
    assert again.exit_code == 1
    assert "already holds the history for this seed" in again.stderr.replace("\n", " ")


@pytest.mark.parametrize(
    ("args", "reason"),
    [(["--scale", "0"], "--scale 0.0 must be above 0"), (["--scale", "2"], "at most 1")],
)
def test_the_command_refuses_a_bad_scale(sqlite_url: str, args: list[str], reason: str) -> None:
    result = runner.invoke(cli(), ["sim", "history", "--db", sqlite_url, *args])
    assert result.exit_code == 1 and reason in result.stderr


def test_queries_go_only_to_states_whose_dmvs_answer(
    directory: Directory, store: PolicyStore
) -> None:
    # Federal offices in GU and VI query, but those territories have no DMV here.
    assert {"GU", "VI"} <= {a.state for a in directory}
    rows = _rows(HistoryPlan(2025, 0.0003, seed=1), directory, store)
    assert {r[5] for r in rows} == set(directory.states())
    assert {directory.get(r[2]).state for r in rows} >= {"GU", "VI"}  # type: ignore[union-attr]


# -- a database with live traffic --------------------------------------------

REFUSED = (
    "error: this database already holds 2 audit records of live traffic; history written "
    "now would follow them in the audit chain, older rows after newer ones, where prune "
    "cannot remove it: use a fresh database, or --append to write it anyway"
)


def _records(url: str) -> int:
    engine = open_engine(url)
    with engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(audit_records)).scalar_one()
    engine.dispose()
    return int(found)


@pytest.fixture
def live(sqlite_url: str) -> str:
    """A database the hub has written two queries to."""
    engine = open_engine(sqlite_url)
    migrate(engine)
    write(engine, [record(n, datetime.now(UTC)) for n in range(2)])
    engine.dispose()
    return sqlite_url


def test_history_refuses_a_database_with_live_traffic(live: str, tmp_path: Path) -> None:
    truth = ["--truth", str(tmp_path / "truth.jsonl")]
    result = runner.invoke(cli(), ["sim", "history", "--scale", "0.00001", "--db", live, *truth])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", REFUSED + "\n")
    assert _records(live) == 2


def test_history_appends_to_live_traffic_when_told(live: str, tmp_path: Path) -> None:
    truth = ["--truth", str(tmp_path / "truth.jsonl")]
    args = ["sim", "history", "--scale", "0.00001", "--db", live, "--append", *truth]
    result = runner.invoke(cli(), args)
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    # The public figures' queries, and the side doors the default profile plants.
    planted = sum(summary["planted"].values())
    assert summary["profile"] == "letter-2025" and planted > 0
    assert summary["records"] == 2_900 + planted
    assert _records(live) == 2 + 2_900 + planted


def test_history_and_prune_anchors_are_not_live_traffic(
    history: Engine, directory: Directory, store: PolicyStore, tmp_path: Path
) -> None:
    # The seeded year begins on 1 October 2024: its first day goes, an anchor comes.
    key = audit_key(tmp_path)
    pruned = prune(history, datetime(2024, 10, 2, tzinfo=UTC), by="cli/test", key=key)
    assert pruned.anchor_id is not None
    with history.connect() as conn:
        assert live_records(conn) == 0
    plan = HistoryPlan(2025, SCALE, seed=SEED + 1, profile=BACKGROUND)
    result = write_history(history, plan, directory, store)
    assert result.records == 14_500
    with history.connect() as conn:
        assert live_records(conn) == 0
