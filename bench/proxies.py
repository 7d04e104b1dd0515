"""Detector benchmark: `python -m bench.proxies` (or `make bench-proxies`).

For each scale in `--scales` (default `0.00345,0.0345`: about 1,000,000
and 10,000,000 queries of the shipped profile `letter-2025`), writes a
seeded year of history into a temporary SQLite file with its ground truth,
then measures the detector in a process of its own (`--db FILE`), so the
peak memory it reports is the detector's alone, not the writer's. There it
times, interleaved, best of `--repeats`:

- baseline: one plain scan of the same rows (`count(*)` and the length of
  every `fields`): the ceiling for reading the audit;
- detector: `switch.impact.proxies.find_proxies` end to end.

Reports, per scale, records per second of each and their ratio, the rows
per second the history was written at, the detector process's peak RSS,
and precision and recall per pattern against the truth (with the share of
innocent look-alikes among what was flagged); then the load average. The
last line of standard output is one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
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
TARGET = (
    "precision and recall >= 0.90 per pattern at about 1M; look-alikes <= 10% of flagged;"
    " >= 200,000 records/s on 10M"
)


def _peak_mib() -> float:
    """This process's own peak resident memory.

    `ru_maxrss` is not it: Linux carries it across fork and exec, so a
    child started by the process that wrote the history would report the
    writer's peak. `VmHWM` belongs to the process's own address space.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path, repeats: int) -> dict[str, Any]:
    """The detector over one written history, in this process."""
    directory = Directory.load()
    truth = read_truth(Path(f"{path}.truth.jsonl"))
    engine = open_engine(f"sqlite:///{path}")
    base, detect = float("inf"), float("inf")
    records = 0
    report = None
    for _ in range(repeats):
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
    return {
        "records": records,
        "baseline_records_per_s": round(records / base),
        "detector_records_per_s": round(records / detect),
        "detector_seconds": round(detect, 3),
        "ratio_to_baseline": round(base / detect, 3),
        "detector_peak_rss_mib": round(_peak_mib(), 1),
        "flagged": score.flagged,
        "look_alikes_flagged": score.look_alikes,
        "look_alikes_planted": score.look_alikes_planted,
        "look_alike_share": score.as_dict()["look_alike_share"],
        "patterns": [p.as_dict() for p in score.patterns],
    }


def _write(path: Path, scale: float) -> float:
    """Write the history and its truth; rows per second written."""
    engine = open_engine(f"sqlite:///{path}")
    migrate(engine)
    plan = HistoryPlan(2025, scale, seed=0, profile=LETTER_2025)
    store = PolicyStore.load(ROOT / "policies")
    started = time.perf_counter()
    result = write_history(engine, plan, Directory.load(), store)
    seconds = time.perf_counter() - started
    write_truth(Path(f"{path}.truth.jsonl"), result.truth)
    with engine.connect() as conn:
        rows = int(conn.exec_driver_sql("SELECT count(*) FROM audit_records").scalar_one())
    engine.dispose()
    return rows / seconds


def _in_child(path: Path, repeats: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.proxies", "--db", str(path)]
    command += ["--repeats", str(repeats)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.proxies", description=__doc__)
    parser.add_argument("--scales", default="0.00345,0.0345")
    parser.add_argument("--db", type=Path, help="measure one written history (SQLite file)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    if args.db is not None:
        print(json.dumps(measure(args.db, args.repeats)))
        return 0
    runs = []
    for scale in (float(s) for s in args.scales.split(",")):
        folder = Path(tempfile.mkdtemp(prefix="bench-proxies-"))
        try:
            path = folder / "history.db"
            print(f"scale {scale}: writing the history...", flush=True)
            written = _write(path, scale)
            print(f"scale {scale}: {written:,.0f} rows/s written; detecting...", flush=True)
            run = {"scale": scale, "history_rows_per_s": round(written)}
            run |= _in_child(path, args.repeats)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        for key, value in run.items():
            print(f"  {key}: {value}")
        runs.append(run)
    out = {
        "bench": "proxies",
        "runs": runs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "target": TARGET,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
