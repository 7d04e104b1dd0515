"""Closed-loop throughput with wrk: `python -m bench.closed` (or `make bench-closed`).

The open-model ramp in `bench.hub` steps its rate coarsely and shares the two
cores with a Python generator. This one measures the other way: wrk
(`-t1 -c16`, closed loop, one C thread) against `switch serve` and against
the bare FastAPI endpoint (`bench._bare`), one after the other, in rounds, in
one run. The figure is the median of the rounds' requests per second; the
ratio is hub over bare.

`--baseline DIR` adds a second hub, served from another checkout (its own
`.venv`, its own database made by its own migrations), so a change can be
quoted as a ratio before and after in the same run.

wrk must be on PATH (Debian: `apt-get install wrk`); without it the section
says so in one line and exits 2.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench._section import run_section
from bench.hub import messages, serving
from switch.directory import Directory
from switch.serving.server import free_port

BIN = Path(sys.executable).parent

# Made in the checkout under test, so its database has that checkout's schema.
KEYS_SCRIPT = """
import json, sys
try:
    from switch.db.database import migrate, open_engine
    from switch.access.keys import issue_keys
except ImportError:  # a checkout from before the package moves
    from switch.audit.database import migrate, open_engine
    from switch.keys import issue_keys
engine = open_engine(sys.argv[1])
migrate(engine)
print(json.dumps(issue_keys(engine, json.loads(sys.argv[2]))))
engine.dispose()
"""

LUA = """
local pairs_ = {PAIRS}
local i = 0
request = function()
  i = i % #pairs_ + 1
  local p = pairs_[i]
  return wrk.format("POST", "/v1/messages",
    {["Authorization"] = "Bearer " .. p[1], ["Content-Type"] = "text/plain"}, p[2])
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk(port: int, script: Path, seconds: float, connections: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/v1/messages"
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(script)]
    done = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "per_s": rate,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
    }


def hub_server(
    checkout: Path, tmp: Path, name: str, oris: list[str]
) -> tuple[list[str], dict[str, str], list[str]]:
    """The command, environment and keys of a hub served from a checkout."""
    database_url = f"sqlite:///{tmp / f'{name}.db'}"
    python = checkout / ".venv" / "bin" / "python"
    made = subprocess.run(
        [str(python), "-c", KEYS_SCRIPT, database_url, json.dumps(oris)],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    )
    keys: list[str] = json.loads(made.stdout.strip().splitlines()[-1])
    port = free_port()
    command = [str(checkout / ".venv" / "bin" / "switch"), "serve", "--port", str(port)]
    command += ["--log-level", "warning"]
    env = {"SWITCH_DATABASE_URL": database_url, "SWITCH_POLICIES": str(checkout / "policies")}
    return command, env, keys


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        console.print("error: wrk is not on PATH (Debian: apt-get install wrk)")
        sys.exit(2)
    by_ori = messages(Directory.load(), args.senders)
    oris = [ori for ori, _ in by_ori]
    here = Path(__file__).resolve().parent.parent
    servers: dict[str, Path | None] = {"bare": None, "hub": here}
    if args.baseline:
        servers["baseline hub"] = Path(args.baseline).resolve()
    rates: dict[str, list[float]] = {name: [] for name in servers}
    detail: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
    with tempfile.TemporaryDirectory(prefix="bench-closed-") as tmp_name:
        tmp = Path(tmp_name)
        for round_ in range(1, args.rounds + 1):
            # One server at a time, so none takes a core from another.
            for name, checkout in servers.items():
                if checkout is None:
                    port = free_port()
                    command = [sys.executable, "-m", "bench._bare", "--port", str(port)]
                    env: dict[str, str] = {}
                    keys = ["bare"] * len(oris)
                else:
                    command, env, keys = hub_server(checkout, tmp, f"{name}-{round_}", oris)
                    port = int(command[command.index("--port") + 1])
                pairs = ", ".join(
                    f"{{{lua_string(k)}, {lua_string(t)}}}"
                    for k, (_, t) in zip(keys, by_ori, strict=True)
                )
                script = tmp / f"{name}.lua"
                script.write_text(LUA.replace("{PAIRS}", "{" + pairs + "}"))
                with serving(command, env, f"http://127.0.0.1:{port}"):
                    wrk(port, script, args.warmup, args.connections)
                    step = wrk(port, script, args.seconds, args.connections)
                rates[name].append(step["per_s"])
                detail[name].append(step)
                console.print(
                    f"round {round_} {name:>12}: {step['per_s']:>9,.0f}/s, "
                    f"p99 {step['p99_ms']} ms, non-2xx {step['non_2xx']} {step['socket_errors']}"
                )
    median = {name: statistics.median(values) for name, values in rates.items()}
    result: dict[str, Any] = {
        "bench": "closed",
        "tool": "wrk",
        "connections": args.connections,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "median_per_s": median,
        "ratio_hub_to_bare": round(median["hub"] / median["bare"], 3),
        "rounds_detail": detail,
    }
    if "baseline hub" in median:
        result["ratio_baseline_to_bare"] = round(median["baseline hub"] / median["bare"], 3)
        result["baseline"] = str(servers["baseline hub"])
    return result


def report(console: Console, result: dict[str, Any]) -> None:
    table = Table(title=f"wrk -t1 -c{result['connections']}, {result['rounds']} rounds (median)")
    table.add_column("server")
    table.add_column("msg/s", justify="right")
    table.add_column("/ bare", justify="right")
    bare = result["median_per_s"]["bare"]
    for name, value in result["median_per_s"].items():
        table.add_row(name, f"{value:,.0f}", f"{value / bare:.3f}")
    console.print(table)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.closed", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each timed run")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed run before each")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every server")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--senders", type=int, default=300, help="ORIs with keys")
    parser.add_argument("--baseline", metavar="DIR", help="another checkout's hub, with its .venv")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return run_section(parse_args(argv), run, report, width=110)


if __name__ == "__main__":
    sys.exit(main())
