"""Hub throughput and latency: `python -m bench.hub` (or `make bench-hub`).

Two servers in separate processes, each one uvicorn worker started the same
way: the hub (`switch serve`, a temporary SQLite audit, policies on, every
reply waiting for its audit commit) and a bare FastAPI endpoint that only
reads the body and answers JSON (`bench._bare`), the ceiling for any FastAPI
hub on this machine. An open-model generator (`bench._load`, its own
process) sends DQ text messages by OLN with agency keys spread over every
police ORI, at fixed rates stepped up until a server falls behind; then both
are held at 1,000 msg/s (or the highest rate both sustain) for percentiles.
Then the same DQs are sent as text and as Nlets XML, each past the hub's
ceiling for a short run, for `xml_to_text_ratio` (`--forms-only`: just
that). The last line of standard output is one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from bench._profile import summarise
from bench._section import run_section
from simulators.dmv import StateDMV
from switch.access.keys import issue_keys
from switch.db.database import migrate, open_engine
from switch.directory import Directory
from switch.messages import parse, to_xml
from switch.serving.server import free_port

TARGET_RATIO = 0.4
TARGET_P99_MS = 25.0
TARGET_RATE = 1000.0
# A step is sustained when nearly every message is answered at the offered
# pace and the tail has not run away.
SUSTAINED_SHARE = 0.95
EXPLODED_P99_MS = 100.0
HUB_RATES = (250, 400, 500, 600, 700, 800, 900, 1000, 1250, 1500, 2000, 2500, 3000, 4000)
BARE_RATES = (1000, 1500, 2000, 2500, 3000, 3500, 4000, 5000, 6000, 8000)
BIN = Path(sys.executable).parent
XML = "application/xml"


def messages(directory: Directory, senders: int) -> list[tuple[str, str]]:
    """(ORI, DQ text) for police ORIs spread over every state, each asking its
    home state's DMV for a driver that exists."""
    police = [a for a in directory if a.type in ("PD", "SO", "SA")]
    chosen = police[:: max(1, len(police) // senders)][:senders]
    dmvs: dict[str, StateDMV] = {}
    made = []
    for i, agency in enumerate(chosen):
        dmv = dmvs.setdefault(agency.state, StateDMV(agency.state))
        oln = dmv.driver(i)["OLN"]
        made.append((agency.ori, f"DQ.{agency.ori}.{agency.state}.*B{i:07d}.TXTOLN/{oln}"))
    return made


@contextmanager
def serving(
    command: list[str],
    env: dict[str, str],
    url: str,
    warm_answers: int = 1,
    preexec_fn: Callable[[], None] | None = None,
) -> Iterator[int]:
    """A server process until the block ends; yields its pid."""
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, preexec_fn=preexec_fn
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start (exit {process.returncode})")
            try:
                # Several workers answer in turn: ask until each is likely to have said so.
                if all(
                    httpx.get(f"{url}/healthz", timeout=2).json().get("warm")
                    for _ in range(warm_answers)
                ):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def load(
    port: int,
    requests: list[tuple[str, str]],
    rate: float,
    seconds: float,
    content_type: str = "text/plain",
) -> dict[str, Any]:
    """One step of open-model load, from a generator process of its own."""
    plan = {
        "host": "127.0.0.1",
        "port": port,
        "requests": requests,
        "steps": [{"rate": rate, "seconds": seconds}],
        "content_type": content_type,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench._load"],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        check=True,
    )
    step: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return step


def sustained(step: dict[str, Any]) -> bool:
    return bool(
        step["errors"] == 0
        and step["answered"] == step["sent"]
        and step["achieved_per_s"] >= SUSTAINED_SHARE * step["offered_per_s"]
        and step["p99_ms"] <= EXPLODED_P99_MS
    )


def ramp(
    name: str,
    port: int,
    requests: list[tuple[str, str]],
    rates: Sequence[int],
    seconds: float,
    console: Console,
) -> list[dict[str, Any]]:
    """Step the rate up until a step is not sustained, twice running: one
    burst of load from elsewhere on the machine should not end the ramp."""
    steps = []
    for rate in rates:
        for _ in range(2):
            step = load(port, requests, rate, seconds)
            step["sustained"] = sustained(step)
            if step["sustained"]:
                break
        steps.append(step)
        console.print(
            f"{name:>4} {rate:>6}/s offered: {step['achieved_per_s']:>8,.0f}/s achieved, "
            f"p50 {step['p50_ms']:.1f} p99 {step['p99_ms']:.1f} ms, "
            f"generator behind {step['generator_behind_ms']:.0f} ms, "
            f"non-2xx {step['non_2xx']}, errors {step['errors']}"
        )
        if not step["sustained"]:
            break
    return steps


def max_sustained(steps: list[dict[str, Any]]) -> float:
    return max((s["offered_per_s"] for s in steps if s["sustained"]), default=0.0)


@contextmanager
def profiling(pid: int, out: Path, seconds: float) -> Iterator[None]:
    """py-spy on the hub while the block runs, if it is installed."""
    spy = BIN / "py-spy"
    if not spy.exists():
        yield
        return
    command = [str(spy), "record", "--format", "raw", "--nonblocking", "-r", "200"]
    command += ["-d", str(int(seconds)), "-p", str(pid), "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        process.wait(timeout=seconds + 30)


def forms(
    port: int, requests: list[tuple[str, str]], rate: float, seconds: float, console: Console
) -> dict[str, Any]:
    """The same DQs as text and as Nlets XML (answered in XML), each offered
    past what the hub can take for a short run: with the generator's
    connections capped, what is answered per second is the hub's rate for
    that form. Text first, then XML, then text again: the text rate is the
    mean of its two runs, so a drift of the machine during the run does not
    count against one form."""
    as_xml = [(key, to_xml(parse(text))) for key, text in requests]
    runs = [
        ("text", load(port, requests, rate, seconds)),
        ("xml", load(port, as_xml, rate, seconds, "application/xml")),
        ("text", load(port, requests, rate, seconds)),
    ]
    for name, step in runs:
        console.print(
            f"{name:>4} at {rate:,.0f}/s offered: {step['achieved_per_s']:>8,.0f}/s answered, "
            f"p50 {step['p50_ms']:.1f} ms, non-2xx {step['non_2xx']}, errors {step['errors']}"
        )
    text_rate = (runs[0][1]["achieved_per_s"] + runs[2][1]["achieved_per_s"]) / 2
    xml_rate = runs[1][1]["achieved_per_s"]
    return {
        "offered_per_s": rate,
        "seconds": seconds,
        "text_per_s": round(text_rate, 1),
        "xml_per_s": xml_rate,
        "xml_to_text_ratio": round(xml_rate / text_rate, 3) if text_rate else None,
        "failed": sum(step["errors"] + step["non_2xx"] for _, step in runs),
        "bytes_per_message": {
            "text": round(sum(len(t) for _, t in requests) / len(requests)),
            "xml": round(sum(len(x) for _, x in as_xml) / len(as_xml)),
        },
    }


def _keyed(tmp: str, senders: int) -> tuple[str, list[tuple[str, str]]]:
    """A fresh hub database in `tmp` with a key per sender, and each
    sender's DQ paired with its key."""
    requests_by_ori = messages(Directory.load(), senders)
    database_url = f"sqlite:///{Path(tmp) / 'hub.db'}"
    engine = open_engine(database_url)
    migrate(engine)
    keys = issue_keys(engine, [ori for ori, _ in requests_by_ori])
    engine.dispose()
    return database_url, [(key, text) for key, (_, text) in zip(keys, requests_by_ori, strict=True)]


def _hub_command(port: int) -> list[str]:
    return [str(BIN / "switch"), "serve", "--port", str(port), "--log-level", "warning"]


def run_forms(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    """`--forms-only`: only the XML-against-text runs (about 20 s)."""
    hub_port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        database_url, requests = _keyed(tmp, args.senders)
        with serving(
            _hub_command(hub_port), {"SWITCH_DATABASE_URL": database_url}, _local(hub_port)
        ):
            load(hub_port, requests, 250, 2.0)
            load(hub_port, [(k, to_xml(parse(t))) for k, t in requests], 250, 1.0, XML)
            result = forms(hub_port, requests, args.forms_rate, args.forms_seconds, console)
    return {"bench": "hub", "senders": len(requests), "forms": result}


def _local(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    if args.forms_only:
        return run_forms(args, console)
    hub_port, bare_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        database_url, requests = _keyed(tmp, args.senders)
        hub_command = _hub_command(hub_port)
        bare_command = [sys.executable, "-m", "bench._bare", "--port", str(bare_port)]
        hub_env = {"SWITCH_DATABASE_URL": database_url}
        with (
            serving(hub_command, hub_env, f"http://127.0.0.1:{hub_port}") as hub_pid,
            serving(bare_command, {}, f"http://127.0.0.1:{bare_port}"),
        ):
            # Warm-up: every key resolved once (then cached), connections open.
            for port in (hub_port, bare_port):
                load(port, requests, 250, 2.0)
            bare_steps = ramp("bare", bare_port, requests, BARE_RATES, args.seconds, console)
            hub_steps = ramp("hub", hub_port, requests, HUB_RATES, args.seconds, console)
            bare_max, hub_max = max_sustained(bare_steps), max_sustained(hub_steps)
            rate = TARGET_RATE if min(hub_max, bare_max) >= TARGET_RATE else min(hub_max, bare_max)
            rate = rate or HUB_RATES[0]
            at_rate: dict[str, dict[str, Any]] = {}
            profile = None
            at_rate["bare"] = load(bare_port, requests, rate, args.hold)
            at_rate["hub"] = load(hub_port, requests, rate, args.hold)
            if args.profile:
                # Apart from the timed runs: the sampler takes CPU from the hub.
                stacks = Path(tmp) / "hub-profile.raw"
                with profiling(hub_pid, stacks, args.hold):
                    load(hub_port, requests, rate, args.hold)
                profile = summarise(stacks)
            # Past the hub's own ceiling, so each form runs at its own.
            # (at least --forms-rate: a ramp cut short by a busy machine
            # must not leave the hub unsaturated, which would read as 1.0).
            offered = max(hub_max * 1.5, args.forms_rate)
            compared = forms(hub_port, requests, offered, args.forms_seconds, console)
    hub_at, bare_at = at_rate["hub"], at_rate["bare"]
    result: dict[str, Any] = {
        "bench": "hub",
        "senders": len(requests),
        "step_seconds": args.seconds,
        "hub_max_sustained_per_s": hub_max,
        "bare_max_sustained_per_s": bare_max,
        "ratio_hub_to_bare": round(hub_max / bare_max, 3) if bare_max else None,
        "latency_rate_per_s": rate,
        "latency_rate_is_target": rate == TARGET_RATE,
        "hub_at_rate": hub_at,
        "bare_at_rate": bare_at,
        "bare_generator_limited": bare_steps[-1]["generator_behind_ms"] > 50,
        "profile": profile,
        "forms": compared,
        "xml_to_text_ratio": compared["xml_to_text_ratio"],
        "hub_steps": hub_steps,
        "bare_steps": bare_steps,
    }
    result["targets"] = {
        "ratio_0_4": bool(result["ratio_hub_to_bare"] and result["ratio_hub_to_bare"] >= 0.4),
        "p99_25ms_at_1000": rate == TARGET_RATE and hub_at["p99_ms"] <= TARGET_P99_MS,
    }
    return result


def report(console: Console, result: dict[str, Any]) -> None:
    compared = result["forms"]
    forms_line = (
        f"XML/text: {compared['xml_to_text_ratio']} (XML {compared['xml_per_s']:,.0f}/s, "
        f"text {compared['text_per_s']:,.0f}/s, each offered {compared['offered_per_s']:,.0f}/s)"
    )
    if "hub_at_rate" not in result:  # --forms-only
        console.print(forms_line)
        return
    table = Table(title=f"At {result['latency_rate_per_s']:,.0f} msg/s (open model)")
    for column in ("server", "achieved/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "non-2xx"):
        table.add_column(column, justify="left" if column == "server" else "right")
    for name in ("hub", "bare"):
        r = result[f"{name}_at_rate"]
        table.add_row(
            name,
            f"{r['achieved_per_s']:,.0f}",
            f"{r['p50_ms']:.2f}",
            f"{r['p95_ms']:.2f}",
            f"{r['p99_ms']:.2f}",
            f"{r['max_ms']:.1f}",
            str(r["non_2xx"]),
        )
    console.print(table)

    def mark(ok: bool) -> str:
        return "[green]met[/]" if ok else "[red]missed[/]"

    targets = result["targets"]
    console.print(
        f"max sustained: hub {result['hub_max_sustained_per_s']:,.0f}/s, "
        f"bare {result['bare_max_sustained_per_s']:,.0f}/s"
        + (" (the generator fell behind)" if result["bare_generator_limited"] else "")
    )
    console.print(
        f"hub/bare ≥ {TARGET_RATIO}: {mark(targets['ratio_0_4'])} ({result['ratio_hub_to_bare']})"
    )
    note = "" if result["latency_rate_is_target"] else " (1,000 msg/s not sustained: not measured)"
    console.print(
        f"hub p99 ≤ {TARGET_P99_MS:.0f} ms at 1,000 msg/s: {mark(targets['p99_25ms_at_1000'])} "
        f"({result['hub_at_rate']['p99_ms']:.1f} ms at {result['latency_rate_per_s']:,.0f}/s){note}"
    )
    console.print(forms_line)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.hub", description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each ramp step")
    parser.add_argument("--hold", type=float, default=6.0, help="length of the latency run")
    parser.add_argument("--senders", type=int, default=300, help="ORIs with keys")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the hub (if installed) after the timed runs"
    )
    parser.add_argument(
        "--forms-only", action="store_true", help="only the XML-against-text runs (about 20 s)"
    )
    parser.add_argument(
        "--forms-rate",
        type=float,
        default=4000.0,
        help="rate offered in the XML-against-text runs (at least; past the hub's ceiling)",
    )
    parser.add_argument(
        "--forms-seconds", type=float, default=2.0, help="length of each XML or text run"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return run_section(parse_args(argv), run, report, width=110)


if __name__ == "__main__":
    sys.exit(main())
