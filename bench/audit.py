"""Audit write path: `python -m bench.audit` (or `make bench-audit`).

`GroupCommitWriter` alone, on a temporary SQLite file and (when it answers)
a fresh PostgreSQL database on 127.0.0.1:5432:

- committed records/s with 1, 16 and 256 concurrent writers, each awaiting
  its own record's commit before writing the next (as a request does),
  against a baseline of one transaction per record (`write_sync`, the
  writer's own commit, one record at a time);
- the latency a message gains: p50/p99 of `write()`'s await at a fixed
  arrival rate.

Records are shaped like a routed DQ: one record, one outcome. The last line
of standard output is one line of JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench._databases import postgres_database
from bench._load import percentile
from bench._section import run_section
from switch.audit.records import AuditRecord, Outcome, new_message_id
from switch.audit.writer import GroupCommitWriter
from switch.db.database import migrate, open_engine

WRITERS = (1, 16, 256)


def record(number: int) -> AuditRecord:
    now = datetime.now(UTC)
    return AuditRecord(
        id=new_message_id(),
        received_at=now,
        identity="bench/WA0340000",
        sender_ori="WA0340000",
        message_key="DQ",
        control=f"B{number:07d}",
        reason=None,
        destinations="WA",
        fields='{"OLN": "WDL123456789"}',
        outcome="routed",
        er_code=None,
        http_status=200,
        detail=None,
        raw=f"DQ.WA0340000.WA.*B{number:07d}.TXTOLN/WDL123456789",
        latency_ms=1.0,
        outcomes=[
            Outcome(
                destination="WA",
                state="WA",
                decision="permit",
                rule="default",
                reason=None,
                policy_version="bench",
                status="ok",
                response_key="DR",
                response='{"NAM": "DOE,JOHN"}',
                latency_ms=0.5,
                received_at=now,
                sender_ori="WA0340000",
                message_key="DQ",
            )
        ],
    )


async def _concurrent(writer: GroupCommitWriter, writers: int, seconds: float) -> float:
    """Records/s committed by `writers` tasks, each awaiting its commit."""
    numbers = count()
    deadline = time.perf_counter() + seconds
    done = 0

    async def one() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await writer.write(record(next(numbers)))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(writers)))
    return done / (time.perf_counter() - started)


def _one_per_transaction(writer: GroupCommitWriter, seconds: float) -> float:
    deadline = time.perf_counter() + seconds
    started, done = time.perf_counter(), 0
    while time.perf_counter() < deadline:
        writer.write_sync(record(done))
        done += 1
    return done / (time.perf_counter() - started)


async def _latency(writer: GroupCommitWriter, rate: float, seconds: float) -> dict[str, float]:
    """write()'s await time for records arriving at a fixed rate."""
    waits: list[float] = []

    async def one(number: int) -> None:
        started = time.perf_counter()
        await writer.write(record(number))
        waits.append((time.perf_counter() - started) * 1000)

    tasks = []
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return {
        "rate_per_s": rate,
        "p50_ms": round(percentile(waits, 0.5), 2),
        "p99_ms": round(percentile(waits, 0.99), 2),
        "max_ms": round(max(waits), 2),
    }


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    engine = open_engine(url)
    migrate(engine)
    writer = GroupCommitWriter(engine)
    writer.start()
    try:
        found: dict[str, Any] = {
            "one_per_transaction_per_s": round(_one_per_transaction(writer, args.seconds))
        }
        for writers in WRITERS:
            batches, records = writer.batches, writer.records
            rate = asyncio.run(_concurrent(writer, writers, args.seconds))
            found[f"group_{writers}_per_s"] = round(rate)
            found[f"group_{writers}_records_per_batch"] = round(
                (writer.records - records) / max(1, writer.batches - batches), 1
            )
            found[f"ratio_group_{writers}_to_baseline"] = round(
                rate / found["one_per_transaction_per_s"], 2
            )
        found["latency"] = asyncio.run(_latency(writer, args.rate, args.seconds))
    finally:
        writer.stop()
        engine.dispose()
    return found


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    result: dict[str, Any] = {"bench": "audit", "seconds": args.seconds, "writers": WRITERS}
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        result["sqlite"] = measure(f"sqlite:///{Path(tmp) / 'audit.db'}", args)
    result["postgres"] = None
    if not args.no_postgres:
        with postgres_database("switch_bench_audit") as url:
            if url is not None:
                result["postgres"] = measure(url, args)
    return result


def report(console: Console, result: dict[str, Any]) -> None:
    table = Table(title="Audit: committed records/s (GroupCommitWriter)")
    columns = ["back end", "1 txn/record"] + [f"{n} writers" for n in WRITERS]
    columns += [f"÷ baseline @{WRITERS[-1]}", "write() p50 ms", "p99 ms"]
    for column in columns:
        table.add_column(column, justify="left" if column == "back end" else "right")
    for backend in ("sqlite", "postgres"):
        r = result.get(backend)
        if not r:
            continue
        table.add_row(
            backend,
            f"{r['one_per_transaction_per_s']:,}",
            *(
                f"{r[f'group_{n}_per_s']:,} ({r[f'group_{n}_records_per_batch']}/batch)"
                for n in WRITERS
            ),
            f"{r[f'ratio_group_{WRITERS[-1]}_to_baseline']:.1f}x",
            f"{r['latency']['p50_ms']:.2f}",
            f"{r['latency']['p99_ms']:.2f}",
        )
    console.print(table)
    console.print(f"latency at {result['sqlite']['latency']['rate_per_s']:,.0f} records/s arriving")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rate", type=float, default=1000.0, help="arrivals/s for latency")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return run_section(parse_args(argv), run, report, width=130)


if __name__ == "__main__":
    sys.exit(main())
