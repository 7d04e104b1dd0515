"""The summary of a run, from samples whose numbers are known."""

from __future__ import annotations

import json
import math

import pytest
from rich.console import Console

from simulators.traffic import Progress, Run, Sample, percentile, summarize
from simulators.traffic.report import LiveProgress, summary_tables
from simulators.traffic.stats import Histogram

COMPONENTS = {"VTICE0900": "ICE-ERO", "NYHSI0100": "ICE-HSI", "NY0303000": "PD"}


def known_run() -> Run:
    """Ten sends due 0.1 s apart, the i-th answered i+1 ms after it was sent;
    two sent 20 ms late; one refused with an ER, one failed with a 503."""
    samples = []
    for i in range(10):
        scheduled = i * 0.1
        late = 0.02 if i in (3, 4) else 0.0
        sender = ("VTICE0900", "NYHSI0100", "NY0303000")[i % 3]
        results: tuple[tuple[str, str, str], ...] = ()
        outcome = "200"
        if i == 7:
            outcome = "422 .19."
        elif i == 8:
            outcome = "503"
        elif sender == "NY0303000":
            results = (("WA", "permit", "answered"),)
        else:
            results = (("WA", "deny", "rejected"), ("OR", "permit", "answered"))
        samples.append(
            Sample(
                index=i,
                sender=sender,
                key="DQ",
                scheduled=scheduled,
                sent=scheduled + late,
                done=scheduled + late + (i + 1) / 1000,
                outcome=outcome,
                results=results,
            )
        )
    return Run(samples=tuple(samples), planned=12, dropped=2, elapsed=0.91)


def test_summary_of_a_known_run() -> None:
    summary = summarize(
        known_run(),
        profile="letter-2025",
        target_rate=10,
        duration=1.2,
        component_of=COMPONENTS.__getitem__,
        late_after=0.01,
    )
    assert (summary.planned, summary.sent, summary.dropped) == (12, 10, 2)
    assert (summary.answered, summary.errors, summary.late) == (8, 2, 2)
    assert summary.achieved_rate == pytest.approx(10.0)  # 9 intervals over 0.9 s
    # From the send: 1..10 ms. From the schedule, sends 3 and 4 also waited 20 ms:
    # 1, 2, 3, 6, 7, 8, 9, 10, 24, 25.
    assert summary.service_ms == pytest.approx({"p50": 5, "p95": 10, "p99": 10, "max": 10})
    assert summary.latency_ms == pytest.approx({"p50": 7, "p95": 25, "p99": 25, "max": 25})
    assert summary.max_lateness_ms == pytest.approx(20)
    assert dict(summary.outcomes) == {"200": 8, "422 .19.": 1, "503": 1}
    assert dict(summary.results) == {"answered": 8, "rejected": 6}
    assert {c: dict(d) for c, d in summary.decisions.items()} == {
        "ICE-ERO": {"deny": 4, "permit": 4},  # sends 0, 3, 6, 9
        "ICE-HSI": {"deny": 2, "permit": 2},  # sends 1, 4 (7 was refused)
        "PD": {"permit": 2},  # sends 2, 5 (8 failed)
    }


def test_summary_json_is_one_plain_object() -> None:
    summary = summarize(
        known_run(),
        profile="national",
        target_rate=10,
        duration=1.2,
        component_of=COMPONENTS.__getitem__,
    )
    data = json.loads(json.dumps(summary.as_json()))
    assert data["sent"] == 10 and data["latency_ms"]["p95"] == 25.0
    assert data["decisions"]["PD"] == {"permit": 2}


def test_an_empty_run_has_no_numbers_rather_than_wrong_ones() -> None:
    empty = Run(samples=(), planned=0, dropped=0, elapsed=0.0)
    summary = summarize(empty, profile="x", target_rate=1, duration=1, component_of=str)
    assert summary.sent == 0 and math.isnan(summary.achieved_rate)
    assert summary.as_json()["latency_ms"] == {"p50": None, "p95": None, "p99": None, "max": None}


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert [percentile(values, q) for q in (0.5, 0.95, 0.99, 1.0)] == [50, 95, 99, 100]
    assert percentile([7.0], 0.5) == 7.0
    assert math.isnan(percentile([], 0.5))


def test_histogram_percentiles_are_within_a_percent() -> None:
    histogram = Histogram()
    values = [0.5 * v for v in range(1, 2001)]  # 0.5 .. 1000 ms
    for value in values:
        histogram.add(value)
    for q in (0.5, 0.95, 0.99):
        assert histogram.percentile(q) == pytest.approx(percentile(values, q), rel=0.011)
    assert histogram.count == 2000
    assert math.isnan(Histogram().percentile(0.5))


def test_tables_show_the_rate_latencies_and_decisions() -> None:
    summary = summarize(
        known_run(),
        profile="letter-2025",
        target_rate=10,
        duration=1.2,
        component_of=COMPONENTS.__getitem__,
    )
    console = Console(record=True, width=100)
    console.print(summary_tables(summary))
    text = console.export_text()
    assert "achieved rate" in text and "10.0/s" in text
    assert "latency p99 (ms)" in text and "25.0" in text
    assert "HTTP 422 .19." in text
    cells = [[c for c in line.split() if c not in "│┃"] for line in text.splitlines()]
    rows = {row[0]: row[1:] for row in cells if row and row[0] in ("ICE-ERO", "PD")}
    assert rows == {"ICE-ERO": ["4", "4", "50.0"], "PD": ["2", "0", "0.0"]}


def test_progress_off_a_terminal_prints_now_and_then_and_at_the_end() -> None:
    console = Console(record=True, width=200, force_terminal=False)
    progress = Progress(planned=3)
    with LiveProgress(console, every=3600) as live:
        for _ in range(3):
            progress.record_send(0.0)
            live(progress)
    lines = console.export_text().splitlines()
    assert len(lines) == 2
    assert "sent 1/3" in lines[0] and "sent 3/3" in lines[1]
