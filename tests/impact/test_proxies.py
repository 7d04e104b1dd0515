"""The detector on a small generated history (fixed seed: exact counts),
on SQLite and, on the PostgreSQL pass, PostgreSQL; the CLI over it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from simulators.history import HistoryResult, write_truth
from switch.cli import app
from switch.db.database import open_engine
from switch.directory import Directory
from switch.impact.proxies import ProxyReport, find_proxies
from switch.impact.proxies_source import ProxyError
from switch.impact.proxies_truth import against_truth
from tests.impact.proxies_history import write
from tests.utils.databases import Databases

runner = CliRunner()
pytestmark = pytest.mark.database


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load()


@pytest.fixture(scope="module")
def history(
    audit_databases: Databases, tmp_path_factory: pytest.TempPathFactory, directory: Directory
) -> Iterator[tuple[str, Engine, HistoryResult]]:
    url = audit_databases.url(tmp_path_factory.mktemp("proxies"))
    engine = open_engine(url)
    result = write(engine, directory)
    yield url, engine, result
    engine.dispose()
    audit_databases.release(url)


@pytest.fixture(scope="module")
def report(history: tuple[str, Engine, HistoryResult], directory: Directory) -> ProxyReport:
    return find_proxies(history[1], directory)


def test_every_planted_relay_is_flagged_under_its_pattern_and_no_look_alike(
    history: tuple[str, Engine, HistoryResult], report: ProxyReport
) -> None:
    result = history[2]
    assert result.planted == {
        "287g-relay": 5, "hsi-for-ero": 4, "local-for-federal": 6, "look-alike": 9
    }  # fmt: skip
    assert (report.records, report.refusals, report.linked) == (58_024, 67, 20)
    assert report.by_pattern() == {"287g-relay": 5, "hsi-for-ero": 4, "local-for-federal": 6}
    score = against_truth(report, result.truth)
    rows = [
        (p.pattern, p.planted, p.flagged, p.caught, p.missed, p.false_alarms)
        for p in score.patterns
    ]
    assert rows == [
        ("287g-relay", 5, 5, 5, 0, 0),
        ("hsi-for-ero", 4, 4, 4, 0, 0),
        ("local-for-federal", 6, 6, 6, 0, 0),
    ]
    assert (score.flagged, score.look_alikes, score.look_alikes_planted) == (15, 0, 9)
    truth = {e["query_id"]: e for e in result.truth}
    for s in report.flagged:
        # The original the detector picked is the refusal the relay was planted after.
        assert truth[s.query.id]["original_id"] == s.refusal.id
        assert s.query.ori == truth[s.query.id]["query_ori"]


def test_a_look_alike_is_scored_but_stays_under_the_threshold(
    history: tuple[str, Engine, HistoryResult], report: ProxyReport
) -> None:
    truth = {e["query_id"]: e["pattern"] for e in history[2].truth}
    below = [s for s in report.scored if not s.flagged(report.threshold)]
    assert [(truth.get(s.query.id), s.pattern) for s in below] == [
        ("look-alike", "local-for-federal")
    ]
    assert any(e.code == "declared-reason" for e in below[0].evidence)
    # With no threshold at all it would be a false alarm: the test can fail.
    loose = against_truth(replace(report, threshold=-100), history[2].truth)
    assert [p.false_alarms for p in loose.patterns] == [0, 0, 1]
    assert loose.look_alikes == 1


def test_one_state_and_a_period(
    history: tuple[str, Engine, HistoryResult], directory: Directory
) -> None:
    engine, result = history[1], history[2]
    wa = find_proxies(engine, directory, state="WA")
    assert wa.by_pattern() == {"287g-relay": 1, "hsi-for-ero": 1, "local-for-federal": 0}
    assert wa.refusals == 9
    assert {s.query.state for s in wa.flagged} == {"WA"}
    since = datetime(2025, 4, 1, tzinfo=UTC)
    later = find_proxies(engine, directory, since=since)
    assert all(s.query.at >= since for s in later.flagged)
    planted_later = [
        e for e in result.truth
        if e["pattern"] != "look-alike" and int(e["query_id"][:12], 16) >= since.timestamp() * 1000
    ]  # fmt: skip
    assert len(later.flagged) == len(planted_later)


def test_a_short_window_misses_the_slow_relays(
    history: tuple[str, Engine, HistoryResult], directory: Directory, report: ProxyReport
) -> None:
    quick = find_proxies(history[1], directory, window=timedelta(minutes=30))
    slow = [s for s in report.flagged if s.seconds_after > 1800]
    assert len(quick.flagged) == len(report.flagged) - len(slow)
    assert all(s.seconds_after <= 1800 for s in quick.flagged)


def test_progress_reaches_the_last_record(
    history: tuple[str, Engine, HistoryResult], directory: Directory
) -> None:
    seen: list[tuple[int, int]] = []
    find_proxies(history[1], directory, on_progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] == 58_024


def test_a_window_of_nothing_is_refused(
    history: tuple[str, Engine, HistoryResult], directory: Directory
) -> None:
    with pytest.raises(ProxyError, match="longer than zero"):
        find_proxies(history[1], directory, window=timedelta(0))


def _cli(*args: str) -> tuple[int, str, str]:
    got = runner.invoke(app, ["impact", "proxies", *args], env={"COLUMNS": "40"})
    return got.exit_code, got.stdout, got.stderr


def test_cli_json_with_the_truth(
    history: tuple[str, Engine, HistoryResult], tmp_path: Path
) -> None:
    url, _, result = history
    truth = tmp_path / "t.jsonl"
    write_truth(truth, result.truth)
    code, out, _ = _cli("--db", url, "--format", "json", "--truth", str(truth))
    assert code == 0
    body = json.loads(out)
    assert body["flagged"] == 15 and body["by_pattern"]["hsi-for-ero"] == 4
    assert [p["recall"] for p in body["truth"]["patterns"]] == [1.0, 1.0, 1.0]
    first = body["suspicions"][0]
    assert first["evidence"] and first["why"] and first["refusal_id"] != first["query_id"]


def test_cli_csv_lines_never_wrap(history: tuple[str, Engine, HistoryResult]) -> None:
    code, out, _ = _cli("--db", history[0], "--format", "csv", "--state", "WA")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("kind,pattern,query_id")
    relays = [line for line in lines if line.startswith("relay,")]
    assert len(relays) == 2 and all(len(line) > 40 for line in relays)
    assert "pattern,local-for-federal," in out


def test_cli_table_and_html(history: tuple[str, Engine, HistoryResult]) -> None:
    code, out, _ = _cli("--db", history[0])
    assert code == 0 and "rule of thumb" in out and "287g-relay" in out
    code, page, _ = _cli("--db", history[0], "--format", "html")
    assert code == 0 and page.startswith("<!doctype html>") and "<script" not in page


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--window", "soon"], "expected a length such as 24h"),
        (["--state", "XX"], "unknown state 'XX'"),
        (["--since", "2025-05-01", "--until", "2025-04-01"], "is not before"),
        (["--truth", "/nonexistent/t.jsonl"], "cannot read the ground truth"),
    ],
)
def test_cli_bad_input_is_one_line(
    history: tuple[str, Engine, HistoryResult], args: list[str], said: str
) -> None:
    code, _, err = _cli("--db", history[0], *args)
    assert code == 1
    assert said in " ".join(err.split()) and "Traceback" not in err


def test_cli_missing_database(tmp_path: Path) -> None:
    code, _, err = _cli("--db", str(tmp_path / "none.db"))
    assert code == 1 and "no audit database" in err


def test_the_transparency_report_section(
    history: tuple[str, Engine, HistoryResult], directory: Directory
) -> None:
    from switch.reports import build_report, parse_period, render

    report = build_report(history[1], directory, "WA", parse_period(None, None))
    section = report.as_dict()["proxies"]
    assert section["title"] == "Queries that may have been made for others"
    assert section["by_pattern"] == {"287g-relay": 1, "hsi-for-ero": 1, "local-for-federal": 0}
    assert len(section["examples"]) == 2 and "rule_of_thumb" in section
    assert "proxies,287g-relay,,queries,1" in render(report, "csv")
    assert "Queries that may have been made for others" in render(report, "html")
    assert "Queries that may have been made for others" in render(report, "table")
