"""`make bench`'s write-up: a run of some sections keeps the others, dated."""

from __future__ import annotations

from pathlib import Path

from bench.report import KEPT, write

PROXIES = {
    "bench": "proxies",
    "load_average": [0.5, 0.4, 0.3],
    "target": "t",
    "runs": [
        {
            "records": 1000, "history_rows_per_s": 10, "detector_records_per_s": 20,
            "baseline_records_per_s": 40, "ratio_to_baseline": 0.5,
            "detector_peak_rss_mib": 80.0, "flagged": 3, "look_alikes_flagged": 0,
            "look_alikes_planted": 7, "look_alike_share": 0.0,
            "patterns": [
                {"pattern": "287g-relay", "planted": 3, "flagged": 3, "caught": 3,
                 "missed": 0, "false_alarms": 0, "precision": 1.0, "recall": 1.0},
            ],
        }
    ],
}  # fmt: skip


def test_a_partial_run_keeps_the_other_sections_with_their_date(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(
        "# Benchmarks\n\n- date: 2026-01-02 03:04 UTC\n\n"
        "## 2. Policy engine (`make bench-policy`)\n\n- decisions_per_s: 123\n\n"
        "## 7. Detector of queries made for others (`make bench-proxies`)\n\nold\n\n"
        f"{KEPT}\nby hand\n",
        encoding="utf-8",
    )
    write(out, ["- date: 2026-02-03 04:05 UTC"], {"proxies": PROXIES})
    text = out.read_text(encoding="utf-8")
    policy = text.index("## 2. Policy engine")
    proxies = text.index("## 7. Detector")
    assert policy < proxies < text.index(KEPT)
    assert "_Measured in the run of 2026-01-02 03:04 UTC._\n\n- decisions_per_s: 123" in text
    assert "old" not in text[proxies:]
    assert "| 1,000 | 287g-relay | 3 | 3 | 3 | 0 | 0 | 1.0 | 1.0 |" in text
    assert "| 0 of 7 planted (0.0) |" in text
    assert "- measured in this run: proxies; kept from earlier runs" in text
    assert text.rstrip().endswith("by hand")

    # A second partial run keeps the first date, not the latest run's.
    write(out, ["- date: 2026-03-04 05:06 UTC"], {"proxies": PROXIES})
    assert "_Measured in the run of 2026-01-02 03:04 UTC._" in out.read_text(encoding="utf-8")
