"""Slow clients against the hub: `python -m bench.slowloris`.

`switch serve` runs with its open-file limit at 1,024 (the common default),
and 1,100 connections trickle request headers at it, one header line every
few seconds, never finishing; a connection the hub closes is opened again
on the attacker's next round, as slowloris does. Meanwhile a well-behaved
client sends normal requests at a fixed rate, each on a new connection, half
`GET /healthz` and half `POST /v1/messages` with an agency key, for 30 s.

The slow connections come from their own loopback addresses (127.0.0.2 on;
`--attackers N` spreads them over N addresses), the normal client from
127.0.0.1: on a real network an attacker is not at the address of the
clients it tries to crowd out. `--switch` runs another build's hub (a
checkout of main, say) against the same load. The last line of standard
output is one line of JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from bench._section import run_section
from bench.hub import serving
from simulators.dmv import StateDMV
from switch.access.keys import issue_key
from switch.db.database import migrate, open_engine
from switch.serving.server import free_port

BIN = Path(sys.executable).parent
NOFILE = 1024
SENDER = "NY0303000"
# A header line this often on each slow connection; dead ones are opened
# again on the next round.
TRICKLE_SECONDS = 2.0
# How long a normal request may take before it counts as failed.
REQUEST_TIMEOUT = 5.0


@dataclass
class Attack:
    open: int = 0
    peak_open: int = 0
    opened: int = 0
    connect_errors: int = 0
    # What ended a slow connection: the hub's status line, "closed" or "reset".
    ends: Counter[str] = field(default_factory=Counter)


@dataclass
class Normal:
    sent: int = 0
    ok: int = 0
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)


async def slow_connection(host: str, port: int, source: str, attack: Attack, stop: float) -> None:
    """One slowloris socket, opened again whenever the hub closes it."""
    line = 0
    while time.monotonic() < stop:
        try:
            reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
        except OSError:
            attack.connect_errors += 1
            await asyncio.sleep(TRICKLE_SECONDS)
            continue
        attack.opened += 1
        attack.open += 1
        attack.peak_open = max(attack.peak_open, attack.open)
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n")
            while time.monotonic() < stop:
                try:
                    data = await asyncio.wait_for(reader.read(4096), TRICKLE_SECONDS)
                except TimeoutError:
                    line += 1
                    writer.write(b"X-Trickle-%d: x\r\n" % line)
                    await writer.drain()
                    continue
                attack.ends[data[9:12].decode() if data.startswith(b"HTTP/") else "closed"] += 1
                break
        except OSError:
            attack.ends["reset"] += 1
        finally:
            attack.open -= 1
            writer.close()
        await asyncio.sleep(TRICKLE_SECONDS)


async def normal_request(client: httpx.AsyncClient, n: int, key: str, normal: Normal) -> None:
    started = time.perf_counter()
    try:
        if n % 2:
            oln = StateDMV("NY").driver(n % 50)["OLN"]
            answer = await client.post(
                "/v1/messages",
                content=f"DQ.{SENDER}.NY.TXTOLN/{oln}",
                headers={"Authorization": f"Bearer {key}"},
            )
        else:
            answer = await client.get("/healthz")
    except httpx.HTTPError as exc:
        normal.failures[type(exc).__name__] += 1
        return
    if answer.is_success:
        normal.ok += 1
        normal.latencies.append((time.perf_counter() - started) * 1000)
    else:
        normal.failures[str(answer.status_code)] += 1


async def attack_and_measure(
    port: int, key: str, args: argparse.Namespace, hub_pid: int
) -> dict[str, Any]:
    attack, normal = Attack(), Normal()
    ramp_end = time.monotonic() + args.ramp
    stop = ramp_end + args.seconds
    sources = [f"127.0.0.{2 + i % args.attackers}" for i in range(args.connections)]
    slow = [
        asyncio.create_task(slow_connection("127.0.0.1", port, source, attack, stop))
        for source in sources
    ]
    await asyncio.sleep(args.ramp)
    held_at_start = attack.open
    peak_fds = 0
    # A new connection for every request, as new clients arrive.
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=REQUEST_TIMEOUT
    ) as client:
        pending: set[asyncio.Task[None]] = set()
        started = time.monotonic()
        while time.monotonic() < stop:
            task = asyncio.create_task(normal_request(client, normal.sent, key, normal))
            pending.add(task)
            task.add_done_callback(pending.discard)
            normal.sent += 1
            peak_fds = max(peak_fds, _open_files(hub_pid))
            await asyncio.sleep(max(0.0, started + normal.sent / args.rate - time.monotonic()))
        await asyncio.gather(*pending)
    await asyncio.gather(*slow)
    latencies = sorted(normal.latencies)
    return {
        "slow_connections": args.connections,
        "attacker_addresses": args.attackers,
        "slow_held_when_measuring_began": held_at_start,
        "slow_peak_open": attack.peak_open,
        "slow_opened": attack.opened,
        "slow_connect_errors": attack.connect_errors,
        "slow_ends": dict(attack.ends),
        "normal_sent": normal.sent,
        "normal_ok": normal.ok,
        "normal_failures": dict(normal.failures),
        "normal_p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
        "normal_max_ms": round(latencies[-1], 1) if latencies else None,
        "hub_peak_open_files": peak_fds,
    }


def _open_files(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def _limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))


@contextmanager
def hub(switch: str, database_url: str, port: int) -> Iterator[int]:
    """`switch serve` at 1,024 open files until the block ends; yields its pid."""
    command = [switch, "serve", "--port", str(port), "--log-level", "critical"]
    with serving(
        command,
        {"SWITCH_DATABASE_URL": database_url},
        f"http://127.0.0.1:{port}",
        preexec_fn=_limit_open_files,
    ) as pid:
        yield pid


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    # The attacker's own sockets must not run out first.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.connections + 512
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-slowloris-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'hub.db'}"
        engine = open_engine(database_url)
        migrate(engine)
        key = issue_key(engine, ori=SENDER)
        engine.dispose()
        with hub(args.switch, database_url, port) as pid:
            idle_fds = _open_files(pid)
            console.print(
                f"hub pid {pid} at nofile {NOFILE} ({idle_fds} files open idle); "
                f"{args.connections} slow connections from {args.attackers} address(es)"
            )
            result = asyncio.run(attack_and_measure(port, key, args, pid))
            result["hub_idle_open_files"] = idle_fds
            try:
                after = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=REQUEST_TIMEOUT)
                result["hub_answers_after"] = after.is_success
            except httpx.HTTPError:
                result["hub_answers_after"] = False
    return {"bench": "slowloris", "switch": args.switch, "seconds": args.seconds, **result}


def report(console: Console, result: dict[str, Any]) -> None:
    console.print(
        f"slow connections: {result['slow_held_when_measuring_began']} held when measuring "
        f"began, peak {result['slow_peak_open']}, {result['slow_opened']} opened in all; "
        f"ended by {result['slow_ends'] or 'nothing'}"
    )
    console.print(
        f"normal requests: {result['normal_ok']} of {result['normal_sent']} succeeded in "
        f"{result['seconds']:g} s (p50 {result['normal_p50_ms']} ms, max "
        f"{result['normal_max_ms']} ms); failures {result['normal_failures'] or 'none'}"
    )
    console.print(
        f"hub open files: {result['hub_idle_open_files']} idle, peak "
        f"{result['hub_peak_open_files']} of {NOFILE}; answers afterwards: "
        f"{result['hub_answers_after']}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.slowloris", description=__doc__)
    parser.add_argument("--switch", default=str(BIN / "switch"), help="the switch to run")
    parser.add_argument("--connections", type=int, default=1100, help="slow connections")
    parser.add_argument("--attackers", type=int, default=1, help="addresses they come from")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the measurement")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds to open them first")
    parser.add_argument("--rate", type=float, default=16.0, help="normal requests a second")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return run_section(parse_args(argv), run, report, width=110)


if __name__ == "__main__":
    sys.exit(main())
