"""NL multi-state query: `python -m bench.nl` (or `make bench-nl`).

A DQ by NAM/DOB/SEX addressed to NL fans out to all 52 built-in state DMVs;
the baseline is the same query addressed to the one state that holds the
driver. Both go through `Hub.submit` in this process (parse, policy for
every destination, the simulators, the reply, a durable audit on a
temporary SQLite file), one message at a time, the two kinds alternating so
that a burst of load on the machine falls on both. The DMVs' name indexes
are built before anything is timed. The last line of standard output is
one line of JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench._load import percentile
from bench._section import run_section
from simulators.dmv import StateDMV
from switch.access.keys import Identity
from switch.app.runtime import Runtime
from switch.directory import Directory
from switch.settings import Settings

WARM_TIMEOUT_SECONDS = 120.0


def queries(directory: Directory, count: int) -> list[tuple[Identity, str, str]]:
    """(sender, NL text, single-state text) for drivers across every state."""
    police = [a for a in directory if a.type in ("PD", "SO")]
    states = directory.states()
    made = []
    for i in range(count):
        sender = police[(i * 7) % len(police)]
        state = states[i % len(states)]
        driver = StateDMV(state).driver(i)
        last, _, given = driver["NAM"].partition(",")
        fields = f"NAM/{last},{given.split()[0]}.DOB/{driver['DOB']}.SEX/{driver['SEX']}"
        identity = Identity(key_id="bench", ori=sender.ori)
        made.append(
            (
                identity,
                f"DQ.{sender.ori}.NL.*N{i:07d}.TXT{fields}",
                f"DQ.{sender.ori}.{state}.*S{i:07d}.TXT{fields}",
            )
        )
    return made


async def _timed(runtime: Runtime, identity: Identity, text: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    reply = await runtime.hub.submit(identity, text.encode(), is_json=False, wait=30.0)
    elapsed = (time.perf_counter() - started) * 1000
    # A multi-state reply shows only the hits; its summary names every destination.
    summary = reply.body.get("summary", {})
    return elapsed, reply.status_code, sum(len(v) for v in summary.values())


async def _measure(runtime: Runtime, chosen: list[tuple[Identity, str, str]]) -> dict[str, Any]:
    for identity, nl, single in chosen[:5]:  # first-use costs: caches, connections
        await _timed(runtime, identity, nl)
        await _timed(runtime, identity, single)
    nl_ms: list[float] = []
    single_ms: list[float] = []
    fanned: set[int] = set()
    failed = 0
    for identity, nl, single in chosen:
        elapsed, status, results = await _timed(runtime, identity, nl)
        nl_ms.append(elapsed)
        fanned.add(results)
        failed += status != 200
        elapsed, status, _ = await _timed(runtime, identity, single)  # no summary: one state
        single_ms.append(elapsed)
        failed += status != 200

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "p50_ms": round(percentile(values, 0.5), 2),
            "p99_ms": round(percentile(values, 0.99), 2),
            "mean_ms": round(sum(values) / len(values), 2),
        }

    nl_summary, single_summary = summary(nl_ms), summary(single_ms)
    return {
        "queries": len(chosen),
        "nl": nl_summary,
        "single_state": single_summary,
        "destinations_per_nl": sorted(fanned),
        "non_200": failed,
        "ratio_nl_to_single_p50": round(nl_summary["p50_ms"] / single_summary["p50_ms"], 1),
        "ratio_nl_to_single_p99": round(nl_summary["p99_ms"] / single_summary["p99_ms"], 1),
        "nl_per_destination_p50_ms": round(nl_summary["p50_ms"] / max(max(fanned), 1), 3),
    }


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-nl-") as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'hub.db'}")
        runtime = Runtime(settings)
        runtime.start()
        try:
            started = time.perf_counter()
            if not runtime.warmed.wait(WARM_TIMEOUT_SECONDS):
                raise RuntimeError("the built-in DMVs did not finish indexing")
            console.print(f"DMV name indexes built in {time.perf_counter() - started:.1f} s")
            found = asyncio.run(_measure(runtime, queries(runtime.directory, args.queries)))
        finally:
            asyncio.run(runtime.stop())
    return {"bench": "nl", "states": len(runtime.destinations), **found}


def report(console: Console, result: dict[str, Any]) -> None:
    table = Table(title="NL fan-out vs one state: Hub.submit, one message at a time")
    for column in ("query", "destinations", "p50 ms", "p99 ms", "mean ms"):
        table.add_column(column, justify="left" if column == "query" else "right")
    for name, label, where in (
        ("nl", "DQ to NL", "/".join(map(str, result["destinations_per_nl"]))),
        ("single_state", "DQ to one state", "1"),
    ):
        r = result[name]
        table.add_row(
            label, where, f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}", f"{r['mean_ms']:.2f}"
        )
    console.print(table)
    console.print(
        f"NL ÷ single state: p50 {result['ratio_nl_to_single_p50']}x, "
        f"p99 {result['ratio_nl_to_single_p99']}x; non-200 replies: {result['non_200']}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.nl", description=__doc__)
    parser.add_argument("--queries", type=int, default=200, help="of each kind")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return run_section(parse_args(argv), run, report, width=100)


if __name__ == "__main__":
    sys.exit(main())
