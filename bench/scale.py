"""Scaling: `python -m bench.scale` (or `make bench-scale`).

The hub's maximum sustained msg/s with 1, 2 and 4 uvicorn workers (one
process each, one shared temporary SQLite audit), under the same open-model
ramp as `bench.hub`, to show where the machine saturates. The ratio is each
worker count's ceiling over one worker's, from the same run. The last line
of standard output is one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.hub import BIN, HUB_RATES, load, max_sustained, messages, ramp, serving
from switch.audit.database import migrate, open_engine
from switch.directory import Directory
from switch.keys import issue_keys
from switch.server import free_port

WORKERS = (1, 2, 4)


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    by_ori = messages(Directory.load(), args.senders)
    found: dict[str, Any] = {}
    for workers in WORKERS:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            database_url = f"sqlite:///{Path(tmp) / 'hub.db'}"
            engine = open_engine(database_url)
            migrate(engine)
            keys = issue_keys(engine, [ori for ori, _ in by_ori])
            engine.dispose()
            requests = [(key, text) for key, (_, text) in zip(keys, by_ori, strict=True)]
            port = free_port()
            command = [str(BIN / "uvicorn"), "switch.api.app:create_app", "--factory"]
            command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning"]
            env = {"SWITCH_DATABASE_URL": database_url}
            with serving(command, env, f"http://127.0.0.1:{port}", warm_answers=4 * workers):
                load(port, requests, 250, 2.0)  # as bench.hub: keys cached, connections open
                steps = ramp(f"{workers}w", port, requests, HUB_RATES, args.seconds, console)
        found[f"workers_{workers}_max_sustained_per_s"] = max_sustained(steps)
        found[f"workers_{workers}_steps"] = steps
    one = found["workers_1_max_sustained_per_s"] or 1
    for workers in WORKERS[1:]:
        found[f"ratio_{workers}_to_1"] = round(
            found[f"workers_{workers}_max_sustained_per_s"] / one, 2
        )
    return {"bench": "scale", "cpus": os.cpu_count(), "workers": WORKERS, **found}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each ramp step")
    parser.add_argument("--senders", type=int, default=300, help="ORIs with keys")
    args = parser.parse_args(argv)
    console = Console(highlight=False, width=110)
    result = run(args, console)
    for workers in WORKERS:
        console.print(
            f"{workers} worker(s): {result[f'workers_{workers}_max_sustained_per_s']:,.0f} msg/s"
            + (f" ({result[f'ratio_{workers}_to_1']}x one)" if workers > 1 else "")
        )
    # INVARIANT: the JSON is the last line of standard output, for scripts.
    console.file.flush()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
