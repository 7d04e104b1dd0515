"""Progress of long work: a line every few seconds with the count, the rate
and the time left when standard error is not a terminal (a bar when it is),
driven by a fake clock; and the long verbs print those lines on a pipe."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from switch import progress
from switch.cli import app
from switch.db.database import open_engine
from switch.impact.replay_source import count_queries
from switch.progress import ProgressLines, duration, progress_line, shown

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


class Clock:
    """Seconds that pass only when told: set `now`, or `step` on every read."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        now = self.now
        self.now += self.step
        return now


def test_a_line_every_interval_with_count_rate_and_eta() -> None:
    clock, lines = Clock(), []
    lines_of = ProgressLines("verify", lines.append, clock=clock, interval=5)
    for second in range(1, 13):
        clock.now = second
        lines_of.update(40_100 * second, 2_001_000)
    assert lines == [
        "verify: 200,500/2,001,000 rows, 40,100 rows/s, ETA 45 s",
        "verify: 401,000/2,001,000 rows, 40,100 rows/s, ETA 40 s",
    ]


def test_a_late_report_starts_the_next_interval() -> None:
    clock, lines = Clock(), []
    lines_of = ProgressLines("history", lines.append, unit="queries", clock=clock, interval=5)
    for at, done in ((3, 30_000), (7, 70_000), (11, 110_000), (12.5, 125_000)):
        clock.now = at
        lines_of.update(done, 1_000_000)
    # 7 s: a line, the next due at 12 s; 11 s is too soon.
    assert lines == [
        "history: 70,000/1,000,000 queries, 10,000 queries/s, ETA 1 min 33 s",
        "history: 125,000/1,000,000 queries, 10,000 queries/s, ETA 1 min 28 s",
    ]


def test_nothing_done_yet_has_no_eta_and_short_work_no_line() -> None:
    assert progress_line("replay", 0, 10, 6.0, "queries") == "replay: 0/10 queries, 0 queries/s"
    assert progress_line("verify", 10, 10, 4.0) == "verify: 10/10 rows, 2 rows/s, ETA 0 s"
    clock, lines = Clock(), []
    lines_of = ProgressLines("verify", lines.append, clock=clock)
    clock.now = 4.9
    lines_of.update(10, 10)
    assert lines == []


def test_durations_read_as_a_person_would_say_them() -> None:
    assert [duration(s) for s in (0, 46.9, 59.4, 125, 3_600, 3_780, 90_000)] == [
        "0 s",
        "47 s",
        "59 s",
        "2 min 5 s",
        "1 h 0 min",
        "1 h 3 min",
        "25 h 0 min",
    ]


@given(st.lists(st.floats(min_value=0, max_value=4, allow_nan=False), max_size=60))
def test_lines_come_exactly_at_the_first_report_an_interval_after_the_last(
    steps: list[float],
) -> None:
    clock, lines = Clock(), []
    lines_of = ProgressLines("verify", lines.append, clock=clock, interval=5)
    expected, last, at = [], 0.0, 0.0
    for done, step in enumerate(steps, start=1):
        at += step
        clock.now = at
        lines_of.update(done, len(steps))
        if at >= last + 5:
            expected.append(progress_line("verify", done, len(steps), at))
            last = at
    assert lines == expected


def test_a_terminal_gets_a_bar_and_no_lines() -> None:
    out = io.StringIO()
    terminal = Console(file=out, force_terminal=True, width=100)
    with shown("verify", terminal, clock=Clock(step=5)) as report:
        for done in range(0, 30_000, 5_000):
            report(done, 30_000)
    assert "25000/30000" in out.getvalue() and "rows/s" not in out.getvalue()


def test_a_known_total_draws_the_bar_before_the_first_report() -> None:
    out = io.StringIO()
    terminal = Console(file=out, force_terminal=True, width=100)
    with shown("history", terminal, unit="queries", total=14_500):
        pass
    assert "0/14500" in out.getvalue()


def test_a_pipe_gets_lines_and_a_bar_threshold_does_not_silence_them() -> None:
    out = io.StringIO()
    pipe = Console(file=out, width=1000)
    with shown("replay", pipe, unit="queries", bar_from=100_000, clock=Clock(step=5)) as report:
        report(500, 1_000)
        report(1_000, 1_000)
    assert out.getvalue().splitlines() == [
        "replay: 500/1,000 queries, 100 queries/s, ETA 5 s",
        "replay: 1,000/1,000 queries, 100 queries/s, ETA 0 s",
    ]


# -- the verbs, with standard error on a pipe ------------------------------


@pytest.fixture
def five_seconds_a_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every report of progress comes an interval after the one before."""
    monkeypatch.setattr(progress, "CLOCK", Clock(step=progress.INTERVAL))
    # rich takes a pipe for a terminal under these.
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)


def test_history_verify_replay_and_prune_print_progress_lines(
    sqlite_url: str, five_seconds_a_read: None, tmp_path: Path
) -> None:
    # 14,500 queries in one batch: one report, 5 s after the start.
    # The public figures alone (no side doors planted): the walks below count 29,000 rows.
    background = [
        "--relay-287g",
        "0",
        "--relay-hsi",
        "0",
        "--relay-local",
        "0",
        "--look-alike",
        "0",
    ]
    background += ["--truth", str(tmp_path / "truth.jsonl")]
    history = runner.invoke(
        app, ["sim", "history", "--scale", "0.00005", "--db", sqlite_url, *background]
    )
    assert history.exit_code == 0, history.stderr
    line, summary = history.stderr.splitlines()
    assert line == "history: 14,500/14,500 queries, 2,900 queries/s, ETA 0 s"
    assert summary.startswith("wrote 14,500 audit records and 14,500 outcomes in ")

    # 29,000 rows, reported a page (5,000) at a time and at the end.
    verify = runner.invoke(app, ["audit", "verify", "--db", sqlite_url])
    assert verify.exit_code == 0, verify.stderr
    assert verify.stderr.splitlines() == _walk("verify")

    engine = open_engine(sqlite_url)
    oregon = count_queries(engine, ["OR"])
    engine.dispose()
    candidate = str(ROOT / "policies" / "candidates" / "OR.yaml")
    replay = runner.invoke(
        app, ["policy", "replay", "--candidate", candidate, "--db", sqlite_url, "--format", "csv"]
    )
    assert replay.exit_code == 0, replay.stderr
    assert replay.stderr.splitlines() == [
        f"replay: {oregon:,}/{oregon:,} queries, {oregon / 5:,.0f} queries/s, ETA 0 s"
    ]

    prune = runner.invoke(app, ["audit", "prune", "--before", "2024-10-02", "--db", sqlite_url])
    assert prune.exit_code == 0, prune.stderr
    # A prune signs its anchor; where no audit key exists yet (beside a SQLite
    # file, say) it makes one and says so in a line of its own.
    lines = prune.stderr.splitlines()
    walked = [line for line in lines if not line.startswith("made a new audit key ")]
    assert len(lines) - len(walked) <= 1
    assert walked == _walk("verify before prune")


def _walk(label: str) -> list[str]:
    """The lines of a walk over 29,000 rows, a report every 5 s."""
    return [
        *(
            f"{label}: {done:,}/29,000 rows, 1,000 rows/s, ETA {(29_000 - done) // 1_000} s"
            for done in range(5_000, 29_000, 5_000)
        ),
        f"{label}: 29,000/29,000 rows, 967 rows/s, ETA 0 s",
    ]
