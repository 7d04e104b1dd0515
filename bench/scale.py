"""Scaling: `python -m bench.scale` (or `make bench-scale`).

The hub's maximum sustained msg/s with 1, 2 and 4 uvicorn workers (one
process each, one shared temporary SQLite audit), under the same open-model
ramp as `bench.hub`, to show where the machine saturates. The ratio is each
worker count's ceiling over one worker's, from the same run.

Then the scale-out shape: one hub, and two hub replicas (separate `switch
serve` processes) sharing one PostgreSQL database, each replica given half
of every step's rate by a generator of its own. Skipped when no PostgreSQL
answers. The last line of standard output is one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from rich.console import Console

from bench._databases import postgres_database
from bench.hub import (
    BIN,
    HUB_RATES,
    load,
    max_sustained,
    messages,
    ramp,
    serving,
    sustained,
)
from switch.access.keys import issue_keys
from switch.db.database import migrate, open_engine
from switch.directory import Directory
from switch.serving.server import free_port

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
    found.update(replicas_on_postgres(by_ori, args.seconds, console))
    return {"bench": "scale", "cpus": os.cpu_count(), "workers": WORKERS, **found}


def _split_load(
    ports: list[int], requests: list[tuple[str, str]], rate: float, seconds: float
) -> dict[str, Any]:
    """One step against every port at once, the rate shared equally; the
    step is sustained only if each share is."""
    with ThreadPoolExecutor(len(ports)) as pool:
        shares = list(
            pool.map(lambda port: load(port, requests, rate / len(ports), seconds), ports)
        )
    return {
        "offered_per_s": rate,
        "achieved_per_s": round(sum(s["achieved_per_s"] for s in shares), 1),
        "p50_ms": max(s["p50_ms"] for s in shares),
        "p99_ms": max(s["p99_ms"] for s in shares),
        "sustained": all(sustained(s) for s in shares),
    }


def replicas_on_postgres(
    by_ori: list[tuple[str, str]], seconds: float, console: Console
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for replicas in (1, 2):
        with postgres_database("bench_scale") as database_url, ExitStack() as stack:
            if database_url is None:
                console.print("no PostgreSQL on 127.0.0.1:5432: replicas not measured")
                return {}
            engine = open_engine(database_url)
            migrate(engine)
            keys = issue_keys(engine, [ori for ori, _ in by_ori])
            engine.dispose()
            requests = [(key, text) for key, (_, text) in zip(keys, by_ori, strict=True)]
            ports = [free_port() for _ in range(replicas)]
            for port in ports:
                command = [str(BIN / "switch"), "serve", "--port", str(port)]
                command += ["--log-level", "warning"]
                env = {"SWITCH_DATABASE_URL": database_url}
                stack.enter_context(serving(command, env, f"http://127.0.0.1:{port}"))
            _split_load(ports, requests, 250, 2.0)  # keys cached, connections open
            steps = []
            for rate in HUB_RATES:
                step = _split_load(ports, requests, rate, seconds)
                steps.append(step)
                console.print(
                    f"{replicas}r-pg {rate:>6}/s offered: {step['achieved_per_s']:>8,.0f}/s "
                    f"achieved, p50 {step['p50_ms']:.1f} p99 {step['p99_ms']:.1f} ms"
                )
                if not step["sustained"]:
                    break
        found[f"postgres_replicas_{replicas}_max_sustained_per_s"] = max_sustained(steps)
        found[f"postgres_replicas_{replicas}_steps"] = steps
    one = found["postgres_replicas_1_max_sustained_per_s"] or 1
    found["ratio_2_replicas_to_1"] = round(
        found["postgres_replicas_2_max_sustained_per_s"] / one, 2
    )
    return found


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
    for replicas in (1, 2):
        ceiling = result.get(f"postgres_replicas_{replicas}_max_sustained_per_s")
        if ceiling is not None:
            console.print(f"{replicas} replica(s) on PostgreSQL: {ceiling:,.0f} msg/s")
    # INVARIANT: the JSON is the last line of standard output, for scripts.
    console.file.flush()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
