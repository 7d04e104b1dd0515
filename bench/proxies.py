"""Detector benchmark: `python -m bench.proxies` (or `make bench-proxies`).

Writes a seeded year of history on the shipped profile (`letter-2025`,
1,000,000 queries at the default scale; `--scale 0.0345` for 10,000,000)
into a temporary SQLite file, or reads one already written (`--db FILE`,
with its `FILE.truth.jsonl`). Then times, interleaved, best of `--repeats`:

- baseline: one plain scan of the same rows (`count(*)` and the length of
  every `fields`): the ceiling for reading the audit;
- detector: `switch.impact.proxies.find_proxies` end to end.

Reports records per second of each and their ratio, the load average, the
process's peak RSS, and precision and recall per pattern against the truth.
The last line of standard output is one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from simulators.history import LETTER_2025, HistoryPlan, read_truth, write_history, write_truth
from switch.db.database import migrate, open_engine
from switch.directory import Directory
from switch.impact.proxies import find_proxies
from switch.impact.proxies_truth import against_truth
from switch.policy import PolicyStore

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "SELECT count(*), sum(length(fields)) FROM audit_records"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.proxies", description=__doc__)
    parser.add_argument("--scale", type=float, default=0.00345)
    parser.add_argument("--db", type=Path, help="an existing history (SQLite file)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    directory = Directory.load()
    folder = Path(tempfile.mkdtemp(prefix="bench-proxies-"))
    try:
        path = args.db or folder / "history.db"
        engine = open_engine(f"sqlite:///{path}")
        if args.db is None:
            migrate(engine)
            plan = HistoryPlan(2025, args.scale, seed=0, profile=LETTER_2025)
            store = PolicyStore.load(ROOT / "policies")
            result = write_history(engine, plan, directory, store)
            write_truth(Path(f"{path}.truth.jsonl"), result.truth)
        truth = read_truth(Path(f"{path}.truth.jsonl"))
        base, detect = float("inf"), float("inf")
        report = None
        for _ in range(args.repeats):
            started = time.perf_counter()
            with engine.connect() as conn:
                records = int(conn.exec_driver_sql(BASELINE).scalar_one())
            base = min(base, time.perf_counter() - started)
            started = time.perf_counter()
            report = find_proxies(engine, directory)
            detect = min(detect, time.perf_counter() - started)
        engine.dispose()
        assert report is not None
        score = against_truth(report, truth)
        out: dict[str, Any] = {
            "bench": "proxies",
            "records": records,
            "baseline_records_per_s": round(records / base),
            "detector_records_per_s": round(records / detect),
            "detector_seconds": round(detect, 3),
            "ratio_to_baseline": round(base / detect, 3),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "peak_rss_mib": round(_peak_mib(), 1),
            "flagged": score.flagged,
            "look_alike_share": score.look_alike_share,
            **{
                f"{p.pattern}_precision_recall": [p.precision, p.recall, p.planted]
                for p in score.patterns
            },
            "target": "precision and recall >= 0.90 per pattern; >= 200,000 records/s on 10M",
        }
        for key, value in out.items():
            print(f"{key}: {value}")
        print(json.dumps(out))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
