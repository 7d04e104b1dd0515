"""The live flow across hubs: `python -m bench.shared_flow`.

Three `switch serve` processes on one fresh PostgreSQL database: A and B
with the shared flow (switch/app/shared_flow.py), C without it
(SWITCH_SHARED_FLOW=false, the hub as it was). Skipped when no PostgreSQL
answers.

- Latency: one message at a time through B (a DQ to TX, answered), with a
  stream open on A and one on B; the time from the send to the event on A's
  stream, on B's own stream, and the difference (what crossing costs).
  Median, p90 and max over `--messages`.
- Cost on the sending hub, in one process: Hub.submit (no HTTP, no other
  hub on the CPU) in blocks of `--per-block` messages, `--clients` at a
  time, blocks alternating: nobody watching (`idle`), a watcher on this hub
  (`local`, the cost a watcher had before), and the flow carried for a
  watcher on another hub (`carrying`, as a lease gives); the CPU time per
  message of the whole process (its audit writer's thread too) and msg/s,
  as ratios.
- Cost on the sending hub, served: closed-loop msg/s through B and through C from
  `--clients` threads, `--seconds` per round, rounds alternating so that
  the machine's load falls on both; first with no stream open anywhere
  (B's channel idle), then with a stream open on A (B writes every event
  to hub_events and NOTIFYs it). Quoted as ratios B/C from the same phase.
  A, reading and projecting B's events, runs on the same machine: a share
  of the drop in the second phase is A's work, not B's.

The last line of standard output is one line of JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
from rich.console import Console

from bench._databases import postgres_database
from bench._section import run_section
from bench.hub import BIN, messages, serving
from switch.access.keys import Identity, issue_key, issue_keys
from switch.app.runtime import Runtime
from switch.app.shared_flow import SharedFlow
from switch.db.database import migrate, open_engine
from switch.directory import Directory
from switch.serving.server import free_port
from switch.settings import Settings


class Watcher:
    """A `/v1/events` stream read in a thread: when each message id came."""

    def __init__(self, url: str, key: str) -> None:
        self.came: dict[str, float] = {}
        self.count = 0
        self.connected = threading.Event()
        self._client = httpx.Client(base_url=url, timeout=None)
        self._thread = threading.Thread(target=self._read, args=(key,), daemon=True)
        self._thread.start()
        if not self.connected.wait(30):
            raise RuntimeError(f"no stream from {url}")

    def _read(self, key: str) -> None:
        headers = {"Authorization": f"Bearer {key}"}
        try:
            with self._client.stream("GET", "/v1/events", headers=headers) as reply:
                for line in reply.iter_lines():
                    if line.startswith(": connected"):
                        self.connected.set()
                    elif line.startswith("data: "):
                        now = time.perf_counter()
                        self.count += 1
                        self.came.setdefault(json.loads(line[6:])["id"], now)
        except (httpx.HTTPError, RuntimeError, OSError):
            pass  # closed by close(), from the other thread

    def close(self) -> None:
        """Hang up, so the hub's watcher (and its lease elsewhere) ends now."""
        self._client.close()
        self._thread.join(5)


@contextmanager
def hubs(database_url: str) -> Iterator[dict[str, str]]:
    urls: dict[str, str] = {}
    with ExitStack() as stack:
        for name, shared in (("A", "true"), ("B", "true"), ("C", "false")):
            port = free_port()
            urls[name] = f"http://127.0.0.1:{port}"
            env = {
                "SWITCH_DATABASE_URL": database_url,
                "SWITCH_HUB_NAME": f"hub-{name.lower()}",
                "SWITCH_SHARED_FLOW": shared,
                "SWITCH_RATE_LIMITS": "0",
            }
            command = [str(BIN / "switch"), "serve", "--port", str(port), "--log-level", "warning"]
            stack.enter_context(serving(command, env, urls[name]))
        yield urls


def _send(client: httpx.Client, key: str, text: str) -> str:
    reply = client.post("/v1/messages", content=text, headers={"Authorization": f"Bearer {key}"})
    reply.raise_for_status()
    message_id: str = reply.json()["id"]
    return message_id


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def latency(urls: dict[str, str], admin: str, sends: list[tuple[str, str]]) -> dict[str, Any]:
    on_a, on_b = Watcher(urls["A"], admin), Watcher(urls["B"], admin)
    try:
        with httpx.Client(base_url=urls["B"], timeout=30) as client:
            # B carries once it has heard of A's watcher: until one comes.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                first = _send(client, *sends[0])
                time.sleep(0.2)
                if first in on_a.came:
                    break
            sent: dict[str, float] = {}
            for key, text in sends:
                started = time.perf_counter()
                message_id = _send(client, key, text)
                sent[message_id] = started
                deadline = time.monotonic() + 5
                while message_id not in on_a.came and time.monotonic() < deadline:
                    time.sleep(0.001)
        crossed = [on_a.came[m] - t for m, t in sent.items() if m in on_a.came]
        local = [on_b.came[m] - t for m, t in sent.items() if m in on_b.came]
        extra = [on_a.came[m] - on_b.came[m] for m in sent if m in on_a.came and m in on_b.came]
        return {
            "messages": len(sent),
            "missing_on_a": len(sent) - len(crossed),
            "send_to_other_hub": _ms(crossed),
            "send_to_own_hub": _ms(local),
            "crossing": _ms(extra),
        }
    finally:
        on_a.close()
        on_b.close()


def closed_loop(url: str, sends: list[tuple[str, str]], clients: int, seconds: float) -> float:
    """Messages answered per second through `url` by `clients` threads."""
    stop = time.monotonic() + seconds

    def client(offset: int) -> int:
        done = 0
        with httpx.Client(base_url=url, timeout=30) as http:
            while time.monotonic() < stop:
                _send(http, *sends[(offset + done * clients) % len(sends)])
                done += 1
        return done

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        total = sum(pool.map(client, range(clients)))
    return total / (time.monotonic() - started)


def cost(
    urls: dict[str, str],
    admin: str,
    sends: list[tuple[str, str]],
    args: argparse.Namespace,
    watched: bool,
) -> dict[str, Any]:
    """msg/s through B and C, rounds alternating; `watched`: a stream on A."""
    watcher = Watcher(urls["A"], admin) if watched else None
    rates: dict[str, list[float]] = {"B": [], "C": []}
    try:
        if watcher is not None:
            time.sleep(1.0)  # B hears of it within milliseconds: a margin
        for _ in range(args.rounds):
            for hub in ("B", "C"):
                rates[hub].append(closed_loop(urls[hub], sends, args.clients, args.seconds))
    finally:
        if watcher is not None:
            watcher.close()
    b, c = statistics.median(rates["B"]), statistics.median(rates["C"])
    found: dict[str, Any] = {
        "shared_per_s": round(b, 1),
        "unshared_per_s": round(c, 1),
        "ratio_shared_to_unshared": round(b / c, 3),
        "rounds": {hub: [round(r, 1) for r in rs] for hub, rs in rates.items()},
    }
    if watcher is not None:
        found["events_seen_on_a"] = watcher.count
    return found


async def _blocks(
    runtime: Runtime,
    flow: SharedFlow,
    sends: list[tuple[Identity, bytes]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    queue = list(sends)

    async def block(count: int) -> None:
        async def one(i: int) -> None:
            identity, body = queue[i % len(queue)]
            await runtime.hub.submit(identity, body, is_json=False, wait=10.0)

        for start in range(0, count, args.clients):
            await asyncio.gather(*(one(start + i) for i in range(args.clients)))

    async def drained(queue: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            await queue.get()

    await block(2 * args.clients)  # first-use costs: caches, connections
    modes = ("idle", "local", "carrying")
    found: dict[str, dict[str, list[float]]] = {mode: {"cpu_ms": [], "per_s": []} for mode in modes}
    for _ in range(args.rounds):
        for mode in modes:
            # A lease as another hub's watcher gives one, or none.
            flow._heard("w bench-watcher" if mode == "carrying" else "u bench-watcher")
            here = runtime.hub.events.subscribe() if mode == "local" else None
            drain = asyncio.ensure_future(drained(here)) if here is not None else None
            wall, cpu = time.perf_counter(), time.process_time()
            await block(args.per_block)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if drain is not None and here is not None:
                drain.cancel()
                runtime.hub.events.unsubscribe(here)
            found[mode]["cpu_ms"].append(cpu * 1000 / args.per_block)
            found[mode]["per_s"].append(args.per_block / wall)
    flow._heard("u bench-watcher")
    medians = {
        mode: {name: round(statistics.median(v), 3) for name, v in figures.items()}
        for mode, figures in found.items()
    }
    ratios: dict[str, float] = {}
    for base in ("idle", "local"):
        for name in ("cpu_ms", "per_s"):
            ratios[f"{name}_carrying_to_{base}"] = round(
                medians["carrying"][name] / medians[base][name], 3
            )
    return {**medians, "ratios": ratios}


def in_process(
    database_url: str, by_ori: list[tuple[str, str]], args: argparse.Namespace
) -> dict[str, Any]:
    """One hub in this process (Hub.submit, no HTTP, no other hub on the
    CPU), its flow carried to PostgreSQL or not, blocks alternating: CPU
    time per message of the whole process (its audit writer's thread too)."""
    sends = [(Identity(key_id="bench", ori=ori), text.encode()) for ori, text in by_ori]
    runtime = Runtime(Settings(database_url=database_url, policy_poll_seconds=0))
    flow = runtime.shared_flow
    assert flow is not None

    async def main() -> dict[str, Any]:
        runtime.start()
        try:
            await asyncio.to_thread(runtime.warmed.wait, 120)
            connected = time.monotonic() + 30
            while not flow._connected and time.monotonic() < connected:
                await asyncio.sleep(0.05)
            return await _blocks(runtime, flow, sends, args)
        finally:
            await runtime.stop()

    return asyncio.run(main())


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    with postgres_database("bench_flow") as database_url:
        if database_url is None:
            console.print("no PostgreSQL on 127.0.0.1:5432: skipped")
            return {"bench": "shared_flow", "skipped": "no PostgreSQL"}
        engine = open_engine(database_url)
        migrate(engine)
        by_ori = messages(Directory.load(), args.senders)
        keys = issue_keys(engine, [ori for ori, _ in by_ori])
        admin = issue_key(engine, admin_scope="*")
        engine.dispose()
        sends = [(key, text) for key, (_, text) in zip(keys, by_ori, strict=True)]
        console.print("cost in one process: Hub.submit with the flow carried or not")
        carried_in_process = in_process(database_url, by_ori, args)
        with hubs(database_url) as urls:
            console.print("cost, nobody watching: closed loop through B (shared) and C (not)")
            found: dict[str, Any] = {"cost": {"idle": cost(urls, admin, sends, args, False)}}
            console.print("latency: one message at a time through B")
            found["latency"] = latency(urls, admin, sends[: args.messages])
            console.print("cost, a stream on A: closed loop through B (shared) and C (not)")
            found["cost"]["carrying"] = cost(urls, admin, sends, args, True)
    return {"bench": "shared_flow", "in_process": carried_in_process, **found}


def report(console: Console, result: dict[str, Any]) -> None:
    if "latency" not in result:
        return
    lat = result["latency"]
    for name in ("send_to_other_hub", "send_to_own_hub", "crossing"):
        figures = lat[name]
        console.print(
            f"{name:>18}: median {figures['median_ms']} ms, p90 {figures['p90_ms']} ms, "
            f"max {figures['max_ms']} ms ({lat['messages']} messages)"
        )
    one = result["in_process"]
    console.print(
        f"{'in one process':>18}: CPU ms/msg idle {one['idle']['cpu_ms']}, a watcher here "
        f"{one['local']['cpu_ms']}, carried {one['carrying']['cpu_ms']}; {one['ratios']}"
    )
    for phase in ("idle", "carrying"):
        c = result["cost"][phase]
        console.print(
            f"{phase:>18}: shared {c['shared_per_s']} msg/s, unshared {c['unshared_per_s']}"
            f" msg/s, ratio {c['ratio_shared_to_unshared']}"
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.shared_flow")
    parser.add_argument("--messages", type=int, default=50, help="for the latency")
    parser.add_argument("--senders", type=int, default=100, help="ORIs with keys")
    parser.add_argument("--clients", type=int, default=8, help="closed-loop threads")
    parser.add_argument("--seconds", type=float, default=3.0, help="per closed-loop round")
    parser.add_argument("--rounds", type=int, default=5, help="per hub and phase")
    parser.add_argument("--per-block", type=int, default=400, help="messages per in-process block")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return run_section(parse_args(argv), run, report, width=110)


if __name__ == "__main__":
    sys.exit(main())
