"""The side doors a history plants, and their ground truth: each plant is an
ordinary audited query, decided by the state's policy; only the truth file,
beside the database, says what it was."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from simulators.history import (
    LETTER_2025,
    PATTERNS,
    HistoryGenerator,
    HistoryPlan,
    HistoryProfile,
    HistoryResult,
    ProfileError,
    default_path,
    read_truth,
    write_history,
    write_truth,
)
from simulators.history.relays import IMMIGRATION, IMMIGRATION_REASONS
from simulators.history.subjects import short_dob
from switch.cli.sim import app as sim_app
from switch.db.database import migrate, open_engine
from switch.db.schema import audit_outcomes, audit_records
from switch.directory import TAG_287G, Directory
from switch.messages.fields import check_fields, dob_date
from switch.messages.model import Message
from switch.policy import Facts, PolicyRequest, PolicyStore
from tests.utils.databases import Databases

ROOT = Path(__file__).resolve().parents[2]
SCALE = 0.0002  # 58,000 background queries
SEED = 3
# Shares raised so that a small year holds several of each pattern.
BUSY = HistoryProfile(
    "busy", relay_287g=0.2, relay_hsi=0.6, relay_local=0.2, local_reason=0.5, look_alike=0.3
)
# What this seed plants at these shares: exact, as the seed fixes every draw.
EXPECTED = {"287g-relay": 5, "hsi-for-ero": 4, "local-for-federal": 6, "look-alike": 9}
BACKGROUND = 58_000
NONE = HistoryProfile("background")
runner = CliRunner()


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


@pytest.fixture(scope="module")
def store() -> PolicyStore:
    return PolicyStore.load(ROOT / "policies")


@pytest.fixture(scope="module")
def written(
    audit_databases: Databases,
    tmp_path_factory: pytest.TempPathFactory,
    directory: Directory,
    store: PolicyStore,
) -> Iterator[tuple[Engine, HistoryResult]]:
    """One history for the module's tests, which only read it (SQLite, or
    PostgreSQL on the PostgreSQL pass)."""
    url = audit_databases.url(tmp_path_factory.mktemp("relays"))
    engine = open_engine(url)
    migrate(engine)
    plan = HistoryPlan(2025, SCALE, seed=SEED, profile=BUSY)
    result = write_history(engine, plan, directory, store, batch_size=10_000)
    yield engine, result
    engine.dispose()
    audit_databases.release(url)


def _audit(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every query as its record and outcome joined, by message id."""
    r, o = audit_records.c, audit_outcomes.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                r.id, r.identity, r.sender_ori, r.message_key, r.reason, r.destinations,
                r.fields, r.outcome, r.received_at, o.decision, o.rule, o.policy_version,
                o.warrant, o.image, o.status, o.state,
            ).join(audit_outcomes, o.message_id == r.id)
        ).mappings().all()  # fmt: skip
    return {row["id"]: dict(row) for row in rows}


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _subject(fields: dict[str, str]) -> str:
    """How a detector links audit records: OLN, or NAM and a normalised DOB."""
    if "OLN" in fields:
        return f"OLN:{fields['OLN']}"
    born = dob_date(fields["DOB"], datetime(2026, 1, 1, tzinfo=UTC).date())
    return f"NAM+DOB:{fields['NAM']}|{born:%Y%m%d}"


def test_the_truth_counts_each_pattern_exactly(written: tuple[Engine, HistoryResult]) -> None:
    engine, result = written
    assert Counter(entry["pattern"] for entry in result.truth) == EXPECTED
    assert result.planted == EXPECTED
    # The plants come on top of the public figures' queries.
    assert result.records == BACKGROUND + sum(EXPECTED.values()) == len(_audit(engine))
    assert sum(result.counts.values()) == BACKGROUND


def test_every_truth_id_is_in_the_audit_and_links_by_subject(
    written: tuple[Engine, HistoryResult], directory: Directory
) -> None:
    engine, result = written
    audit = _audit(engine)
    for entry in result.truth:
        original, query = audit[entry["original_id"]], audit[entry["query_id"]]
        # The original: a federal immigration query the person's state refused.
        sender = directory.get(original["sender_ori"])
        assert sender is not None and sender.component in IMMIGRATION
        assert (original["decision"], original["state"]) == ("deny", entry["state"])
        assert original["sender_ori"] == entry["original_ori"]
        # The planted query: to the same state, about the same person.
        assert (query["sender_ori"], query["state"]) == (entry["query_ori"], entry["state"])
        assert query["message_key"] == "DQ"
        linked = _subject(json.loads(original["fields"]))
        assert linked == _subject(json.loads(query["fields"])) == entry["subject"]
        gap = _utc(query["received_at"]) - _utc(original["received_at"])
        assert abs(gap.total_seconds() - entry["seconds_after"]) < 0.001


def test_each_pattern_is_who_the_reporting_says(
    written: tuple[Engine, HistoryResult], directory: Directory
) -> None:
    engine, result = written
    audit = _audit(engine)
    cited = 0
    for entry in result.truth:
        query, original = audit[entry["query_id"]], audit[entry["original_id"]]
        agency = directory.get(entry["query_ori"])
        assert agency is not None
        fields = json.loads(query["fields"])
        gap = entry["seconds_after"]
        if entry["pattern"] == "287g-relay":
            assert TAG_287G in agency.tags and agency.type == "SO"
            assert 5 * 60 <= gap <= 8 * 3600 and "RSN" not in fields
        elif entry["pattern"] == "hsi-for-ero":
            assert agency.component == "ICE-HSI"
            assert directory.get(entry["original_ori"]).component == "ICE-ERO"  # type: ignore[union-attr]
            assert 2 * 60 <= gap <= 4 * 3600
        elif entry["pattern"] == "local-for-federal":
            assert agency.type == "PD"
            partners = {(a.state, a.county) for a in directory if a.task_forces}
            assert agency.task_forces or (agency.state, agency.county) in partners
            assert 10 * 60 <= gap <= 12 * 3600 and "RSN" not in fields
            if "WRT" in fields:
                # The reason is written where the switch lets one be: an unknown warrant id.
                assert fields["WRT"] in IMMIGRATION_REASONS and query["warrant"] == "cited"
                cited += 1
            else:
                assert query["warrant"] == "none"
        else:
            assert entry["pattern"] == "look-alike"
            assert agency.type == "PD" and agency.state == entry["state"]
            assert not agency.task_forces and fields["RSN"] == "T"
            same_day = _utc(query["received_at"]).date() == _utc(original["received_at"]).date()
            assert same_day and query["reason"] == "T"
    assert 0 < cited < EXPECTED["local-for-federal"]


def test_plants_are_decided_by_the_states_policy(
    written: tuple[Engine, HistoryResult], directory: Directory, store: PolicyStore
) -> None:
    engine, result = written
    audit = _audit(engine)
    decisions: Counter[str] = Counter()
    for entry in result.truth:
        row = audit[entry["query_id"]]
        agency = directory.get(row["sender_ori"])
        assert agency is not None
        fields = {"RSN": row["reason"]} if row["reason"] != "none" else {}
        message = Message("DQ", agency.ori, (row["state"],), fields)
        facts = Facts.of(PolicyRequest(agency, row["state"], message, row["warrant"]))
        want = store.ruling(row["state"], facts).decision
        assert (row["decision"], row["rule"], row["policy_version"]) == (
            want.effect,
            want.rule,
            want.version,
        )
        decisions[row["decision"]] += 1
    # The states that refuse ICE refuse HSI too; the 287(g) and local doors stay open.
    assert decisions["permit"] > 0 and decisions["deny"] > 0


def test_the_audit_holds_nothing_the_truth_knows(written: tuple[Engine, HistoryResult]) -> None:
    engine, result = written
    audit = _audit(engine)
    planted = {entry["query_id"] for entry in result.truth}
    for message_id, row in audit.items():
        # Every value is one a real switch writes; nothing names a pattern or the truth.
        text = json.dumps({k: str(v) for k, v in row.items()}).lower()
        for word in (*PATTERNS, "relay", "truth", "look-alike", "planted"):
            assert word not in text, (message_id, word)
        fields = json.loads(row["fields"])
        check_fields(row["message_key"], fields, row["fields"])
        assert row["identity"] == "history/" + row["sender_ori"]
        assert row["outcome"] == "routed"
    planted_fields = {k for i in planted for k in json.loads(audit[i]["fields"])}
    assert planted_fields <= {"OLN", "NAM", "DOB", "SEX", "RSN", "WRT"}


def test_names_are_typed_both_ways_and_still_link(written: tuple[Engine, HistoryResult]) -> None:
    engine, result = written
    audit = _audit(engine)
    by_name = [e for e in result.truth if e["subject"].startswith("NAM+DOB:")]
    assert by_name and any(e["subject"].startswith("OLN:") for e in result.truth)
    dobs = {json.loads(audit[e["query_id"]]["fields"])["DOB"] for e in by_name}
    expected = {e["subject"].rsplit("|", 1)[1] for e in by_name}
    assert dobs <= expected | {short_dob(d) for d in expected}


def test_shares_of_zero_plant_nothing_and_leave_the_background_as_it_was(
    directory: Directory, store: PolicyStore
) -> None:
    quiet = HistoryGenerator(HistoryPlan(2025, SCALE, seed=SEED, profile=NONE), directory, store)
    background = [row for day in quiet.days() for row in day]
    assert quiet.truth == [] and sum(quiet.planted.values()) == 0
    assert len(background) == BACKGROUND
    zero = LETTER_2025.with_shares(relay_287g=0, relay_hsi=0, relay_local=0, look_alike=0)
    assert not zero.plants
    busy = HistoryGenerator(HistoryPlan(2025, SCALE, seed=SEED, profile=BUSY), directory, store)
    rows = [row for day in busy.days() for row in day]
    planted = {entry["query_id"] for entry in busy.truth}
    assert [row for row in rows if row[0] not in planted] == background


def test_a_seed_always_plants_the_same(directory: Directory, store: PolicyStore) -> None:
    def run(seed: int) -> tuple[list[Any], list[dict[str, Any]]]:
        generator = HistoryGenerator(
            HistoryPlan(2025, 0.0001, seed=seed, profile=BUSY), directory, store
        )
        return [row for day in generator.days() for row in day], generator.truth

    first = run(5)
    assert first[1] and first == run(5)
    assert run(6)[1] != first[1]
    assert [r[0] for r in first[0]] == sorted(r[0] for r in first[0])  # plants in time order


def test_the_truth_file_is_beside_the_database(tmp_path: Path) -> None:
    assert default_path(f"sqlite:///{tmp_path}/audit.db") == tmp_path / "audit.db.truth.jsonl"
    assert default_path("postgresql://postgres@127.0.0.1:5432/test") == Path("test.truth.jsonl")
    path = tmp_path / "t.jsonl"
    entries = [{"pattern": "look-alike", "query_id": "a"}, {"pattern": "287g-relay"}]
    assert write_truth(path, entries) == 2
    assert write_truth(path, entries[:1], append=True) == 1
    assert read_truth(path) == [*entries, entries[0]]
    write_truth(path, [])
    assert read_truth(path) == []


@pytest.mark.parametrize(
    ("shares", "reason"),
    [
        ({"relay_287g": 1.5}, "relay-287g 1.5 must be from 0 to 1"),
        ({"relay_287g": 0.5, "relay_hsi": 0.4, "relay_local": 0.3}, "add up to 1.2"),
        ({"look_alike": -0.1}, "look-alike -0.1 must be from 0 to 1"),
    ],
)
def test_a_share_out_of_range_is_refused(shares: dict[str, float], reason: str) -> None:
    with pytest.raises(ProfileError, match=reason):
        LETTER_2025.with_shares(**shares)


def cli() -> typer.Typer:
    root = typer.Typer()
    root.add_typer(sim_app, name="sim")
    return root


def test_the_command_writes_the_truth_beside_the_database(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    args = ["sim", "history", "--scale", "0.0001", "--db", f"sqlite:///{db}", "--seed", "5"]
    result = runner.invoke(cli(), [*args, "--relay-hsi", "0.5", "--look-alike", "0.3"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    truth = read_truth(db.with_name("audit.db.truth.jsonl"))
    assert summary["truth"] == str(db) + ".truth.jsonl" and summary["profile"] == "letter-2025"
    assert Counter(e["pattern"] for e in truth) == {
        p: n for p, n in summary["planted"].items() if n
    }
    assert summary["records"] == 29_000 + len(truth)
    assert "planted (letter-2025)" in result.stderr.replace("\n", " ")


def test_the_command_takes_a_truth_path_and_refuses_bad_settings(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/audit.db"
    base = ["sim", "history", "--scale", "0.00001", "--db", db]
    chosen = tmp_path / "elsewhere.jsonl"
    ok = runner.invoke(cli(), [*base, "--truth", str(chosen), "--relay-287g", "0"])
    assert ok.exit_code == 0, ok.stderr
    assert chosen.exists() and json.loads(ok.stdout)["truth"] == str(chosen)
    for extra, reason in (
        (["--profile", "nope"], "no history profile 'nope'; known: letter-2025"),
        (["--relay-local", "2"], "relay-local 2.0 must be from 0 to 1"),
        (["--truth", str(tmp_path / "no" / "t.jsonl")], "no such directory"),
    ):
        bad = runner.invoke(cli(), [*base, "--seed", "9", *extra])
        assert bad.exit_code == 1 and bad.stdout == ""
        assert reason in bad.stderr.replace("\n", " "), bad.stderr
