"""Replay on a known, hand-built history: exact counts per (old -> new),
breakdowns, examples, loosenings first, filters, unknown senders, on SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from switch.db.database import migrate, open_engine
from switch.db.schema import audit_outcomes
from switch.directory import Directory
from switch.impact.replay import replay_policies
from switch.impact.replay_input import (
    ReplayError,
    choose_states,
    load_candidates,
    parse_window,
)
from switch.impact.replay_report import ReplayReport
from switch.impact.replay_source import packing_for
from switch.policy import PolicyError

ROOT = Path(__file__).resolve().parents[2]
OR_CANDIDATE = ROOT / "policies" / "candidates" / "OR.yaml"

# Washington loosened: only ERO stays blocked, so HSI's recorded denials open up.
WA_LOOSER = """state: WA
title: Washington, loosened (ERO only)
rules:
  - id: wa-no-ero
    effect: deny
    reason: no ERO
    when: {requester.component: ICE-ERO}
"""
# Washington with a time window: CBP is refused at weekends (Pacific time).
WA_WEEKENDS = """state: WA
title: Washington, CBP weekdays only
rules:
  - id: wa-no-ice
    effect: deny
    reason: no ICE
    when: {requester.component: [ICE-ERO, ICE-HSI]}
    unless: {warrant: judicial}
  - id: wa-cbp-weekdays
    effect: deny
    reason: CBP on weekdays only
    when: {requester.component: CBP, time: {weekdays: [sat, sun]}}
"""


@dataclass(frozen=True)
class Row:
    id: str
    ori: str
    state: str
    key: str
    at: datetime
    decision: str
    warrant: str | None = "none"
    rule: str | None = None


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


# Oregon enforces nothing today, so everything there was permitted.
HISTORY = (
    Row("m01", "ORICE0100", "OR", "DQ", at("2024-10-01"), "permit"),
    Row("m02", "ORHSI0100", "OR", "RQ", at("2024-10-02"), "permit"),
    Row("m03", "ORCBP0100", "OR", "DQ", at("2024-10-03"), "permit"),
    Row("m04", "VTICE0900", "OR", "DQ", at("2024-11-01"), "permit", "judicial"),
    Row("m05", "OR0260100", "OR", "DQ", at("2024-11-02"), "permit"),
    Row("m06", "ORFBI0100", "OR", "KQ", at("2024-11-03"), "permit"),
    Row("m07", "ORICE0100", "OR", "DQ", at("2024-12-01"), "permit", None),  # NULL: none
    Row("m08", "ORXXX9999", "OR", "DQ", at("2024-12-02"), "permit"),  # left the directory
    Row("m09", "ORHSI0100", "OR", "AM", at("2024-12-02"), "permit"),  # not a query
    Row("m10", "ORHSI0100", "OR", "DQ", at("2024-12-03"), "permit", "administrative"),
    Row("m11", "WAICE0100", "WA", "DQ", at("2025-01-04"), "deny", rule="wa-no-ice"),
    Row("m12", "WAHSI0100", "WA", "DQ", at("2025-01-04"), "deny", "administrative", "wa-no-ice"),
    # Sunday 10:00 and Monday 10:00 in Seattle.
    Row("m13", "WACBP0100", "WA", "DQ", at("2025-01-05", 18), "permit"),
    Row("m14", "WACBP0100", "WA", "DQ", at("2025-01-06", 18), "permit"),
    Row("m15", "WA0170100", "WA", "RQ", at("2025-01-06"), "permit"),
)


def write_history(url: str, rows: tuple[Row, ...] = HISTORY) -> Engine:
    engine = open_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(audit_outcomes),
            [
                {
                    "message_id": r.id,
                    "destination": r.state,
                    "state": r.state,
                    "decision": r.decision,
                    "rule": r.rule,
                    "policy_version": "test",
                    "status": "answered" if r.decision == "permit" else "rejected",
                    "latency_ms": 1.0,
                    "warrant": r.warrant,
                    "received_at": r.at,
                    "sender_ori": r.ori,
                    "message_key": r.key,
                    "message_reason": "none",
                    "image": 0,
                }
                for r in rows
            ],
        )
    return engine


def candidates_folder(tmp_path: Path, wa: str = WA_LOOSER) -> Path:
    folder = tmp_path / "candidates"
    folder.mkdir()
    (folder / "OR.yaml").write_text(OR_CANDIDATE.read_text())
    (folder / "WA.yaml").write_text(wa)
    return folder


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


@pytest.fixture
def history(database_url: str) -> Iterator[Engine]:
    """The hand-built history above, on each back end."""
    engine = write_history(database_url)
    yield engine
    engine.dispose()


def counts(report: ReplayReport) -> dict[tuple[str, str], int]:
    return {(t.old, t.new): t.count for t in report.transitions}


def test_oregon_candidate_declines_immigration_and_loosens_nothing(
    history: Engine, directory: Directory
) -> None:
    engine = history
    report = replay_policies(engine, load_candidates(OR_CANDIDATE), directory)
    assert report.states == ["OR"]
    assert report.records == 9  # the AM and the Washington rows are not read
    assert counts(report) == {("permit", "deny"): 5, ("permit", "permit"): 3}
    assert report.loosenings == 0 and report.tightenings == 5
    declined = report.get("permit", "deny")
    assert declined is not None
    assert declined.by_component == {"ICE-ERO": 2, "ICE-HSI": 2, "CBP": 1}
    assert declined.by_department == {"DHS": 5}
    assert declined.by_type == {"FE": 5}
    assert declined.by_state == {"OR": 5}
    assert declined.by_rule == {"or-immigration-judicial-only": 5}
    assert declined.examples == ["m01", "m02", "m03"]
    assert declined.examples_by_state == {"OR": ["m01", "m02", "m03"]}
    kept = report.get("permit", "permit")
    assert kept is not None
    # The judicial warrant opens the record; the police and the FBI are untouched.
    assert kept.by_component == {"ICE-ERO": 1, "-": 1, "FBI": 1}
    assert kept.by_rule == {"or-immigration-judicial-release": 1, "(default)": 2}
    assert kept.examples == []  # nothing changed, nothing to show


def test_an_unknown_sender_is_reported_not_replayed(history: Engine, directory: Directory) -> None:
    engine = history
    report = replay_policies(engine, load_candidates(OR_CANDIDATE), directory)
    gone = report.unreplayable
    assert (gone.count, dict(gone.by_ori), dict(gone.by_state)) == (1, {"ORXXX9999": 1}, {"OR": 1})
    assert gone.examples == ["m08"]
    assert report.replayed == report.records - 1 == 8


def test_a_loosening_is_counted_and_listed_first(
    history: Engine, directory: Directory, tmp_path: Path
) -> None:
    engine = history
    report = replay_policies(engine, load_candidates(candidates_folder(tmp_path)), directory)
    assert report.states == ["OR", "WA"]
    assert counts(report) == {
        ("deny", "permit"): 1,
        ("permit", "deny"): 5,
        ("permit", "permit"): 6,
        ("deny", "deny"): 1,
    }
    first = report.transitions[0]
    assert (first.kind, first.old, first.new) == ("loosen", "deny", "permit")
    assert first.by_component == {"ICE-HSI": 1} and first.by_state == {"WA": 1}
    assert first.by_rule == {"(default)": 1}
    assert first.examples == ["m12"]
    assert [t.kind for t in report.transitions] == ["loosen", "tighten", "unchanged", "unchanged"]
    data = report.as_dict()
    assert next(iter(data)) == "loosenings" and data["loosenings"] == 1
    assert [c["examples"] for c in data["loosening_changes"]] == [["m12"]]
    assert list(data)[-1] == "records_per_s"


def test_state_and_window_filters(history: Engine, directory: Directory, tmp_path: Path) -> None:
    engine = history
    candidates = load_candidates(candidates_folder(tmp_path))
    only_wa = replay_policies(engine, candidates, directory, states=["wa"])
    assert only_wa.states == ["WA"] and only_wa.records == 5
    assert counts(only_wa) == {("deny", "permit"): 1, ("deny", "deny"): 1, ("permit", "permit"): 3}
    november = replay_policies(engine, candidates, directory, **window("2024-11-01", "2024-11-30"))
    assert november.records == 3 and counts(november) == {("permit", "permit"): 3}
    # A date alone as --until runs to the end of that day.
    start = replay_policies(engine, candidates, directory, **window(None, "2024-10-02"))
    assert counts(start) == {("permit", "deny"): 2}
    assert start.get("permit", "deny").examples == ["m01", "m02"]  # type: ignore[union-attr]
    instant = replay_policies(engine, candidates, directory, **window("2024-10-02T12:00:00Z", None))
    assert instant.records == 14 - 1  # all but m01


def window(since: str | None, until: str | None) -> dict[str, Any]:
    start, end = parse_window(since, until)
    return {"since": start, "until": end}


def test_time_windows_are_decided_in_local_time(
    history: Engine, directory: Directory, tmp_path: Path
) -> None:
    engine = history
    candidates = load_candidates(candidates_folder(tmp_path, WA_WEEKENDS))
    assert "time" in packing_for(candidates)
    report = replay_policies(engine, candidates, directory, states=["WA"])
    tightened = report.get("permit", "deny")
    assert tightened is not None
    assert tightened.count == 1 and tightened.examples == ["m13"]  # the Sunday query only
    assert tightened.by_rule == {"wa-cbp-weekdays": 1}
    assert counts(report) == {("permit", "deny"): 1, ("deny", "deny"): 2, ("permit", "permit"): 2}


def test_few_evaluations_for_many_rows(sqlite_url: str, directory: Directory) -> None:
    rows = tuple(
        Row(f"n{i:04d}", "ORICE0100" if i % 2 else "OR0260100", "OR", "DQ", at("2024-10-05"),
            "permit")
        for i in range(2000)
    )  # fmt: skip
    engine = write_history(sqlite_url, rows)
    report = replay_policies(engine, load_candidates(OR_CANDIDATE), directory, batch_size=300)
    engine.dispose()
    assert counts(report) == {("permit", "deny"): 1000, ("permit", "permit"): 1000}
    assert report.evaluations == 2
    assert report.get("permit", "deny").examples == ["n0001", "n0003", "n0005"]  # type: ignore[union-attr]


def test_the_oregon_candidate_packs_only_what_it_tests() -> None:
    assert packing_for(load_candidates(OR_CANDIDATE)) == ("warrant",)


def test_bad_inputs_are_refused(tmp_path: Path, directory: Directory) -> None:
    candidates = load_candidates(OR_CANDIDATE)
    with pytest.raises(ReplayError, match="unknown state XX"):
        choose_states(candidates, directory, ["XX"])
    with pytest.raises(ReplayError, match="no candidate policy for CA"):
        choose_states(candidates, directory, ["CA"])
    with pytest.raises(ReplayError, match="no candidate policy at"):
        load_candidates(tmp_path / "nowhere.yaml")
    with pytest.raises(ReplayError, match=r"no <ST>.yaml candidate policy"):
        load_candidates(tmp_path)
    bad = tmp_path / "WA.yaml"
    bad.write_text("state: WA\ntitle: t\nrules:\n  - id: r\n    effect: deny\n")
    with pytest.raises(PolicyError, match=r"WA.yaml:4: rules.0: a deny rule must give a reason"):
        load_candidates(bad)
    with pytest.raises(ReplayError, match="not an ISO date"):
        parse_window("yesterday", None)
    with pytest.raises(ReplayError, match="is not before"):
        parse_window("2025-02-01", "2025-01-01")


def test_a_missing_or_empty_database_is_an_error(tmp_path: Path, directory: Directory) -> None:
    candidates = load_candidates(OR_CANDIDATE)
    missing = open_engine(f"sqlite:///{tmp_path / 'missing.db'}")
    with pytest.raises(ReplayError, match="no audit database at"):
        replay_policies(missing, candidates, directory)
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "empty.db").write_bytes(b"")
    empty = open_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(ReplayError, match="cannot read the audit database: no such table"):
        replay_policies(empty, candidates, directory)
    missing.dispose()
    empty.dispose()
