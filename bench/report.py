"""`make bench`: run every benchmark present, then write BENCHMARKS.md.

`python -m bench.report [--sections hub,audit,...] [--out BENCHMARKS.md]`

Each section runs as its own process, its output shown as it comes; its
last line of standard output is its JSON. A section that fails is written
up as failed and the rest still run (exit 1 at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = {
    "hub": ["--profile"],
    "policy": [],
    "replay": [],
    "audit": [],
    "nl": [],
    "scale": [],
    "proxies": [],
}
PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "pydantic",
    "SQLAlchemy",
    "psycopg",
    "cedarpy",
    "pycasbin",
    "py-spy",
)


def _section(name: str, extra: list[str]) -> dict[str, Any] | None:
    command = [sys.executable, "-m", f"bench.{name}", *extra]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    last = ""
    for line in process.stdout:
        sys.stdout.write(line)
        last = line
    if process.wait() != 0:
        return None
    try:
        found: dict[str, Any] = json.loads(last)
    except ValueError:
        return None
    return found


def _last_json(path: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8").strip().splitlines()[-1])
    return found


def _machine() -> list[str]:
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: `{' '.join(platform.uname())}`",
        f"- CPUs: {os.cpu_count()}; load average (1 min) when written: {os.getloadavg()[0]:.2f}",
        f"- Python {platform.python_version()}",
        f"- packages: {', '.join(versions)}",
    ]


# What profiling the hub found and what was changed (2026-11-25); the shares
# printed beside it are the run's own.
PROFILE_READING = """\
What profiling found, and what was changed:

- FastAPI's parameter solving was about a fifth of `POST /v1/messages`
  (cProfile, in-process, no network): `?wait=` is now read by hand, the
  route takes only the request. FastAPI's native OpenTelemetry hooks, which
  looked for a tracer provider on every request, are off. Replies are
  encoded with orjson; each response is rendered once for reply and audit;
  Prometheus children are cached; message ids come from a seeded generator
  instead of a system call. The app's own CPU per message went from about
  490 to 210-350 us (in-process, 3,000 messages, same machine, noisy).
- The audit writer roughly halves what the event loop alone sustains: with
  its commit replaced by nothing the hub held ~1,500-2,000 msg/s against
  ~1,000 with it (same run). py-spy --gil puts it at ~12% of GIL time
  (chain hashing, SQLAlchemy parameter processing); the rest is fsync.
- p99 spikes of ~100 ms at 1,000 msg/s had two causes: SQLite WAL
  checkpoints run inside a group commit (now a thread of their own,
  PASSIVE, once a second), and full garbage collections walking the
  simulators' millions of long-lived records (now frozen out of the
  collector after warm-up). After both, p99 at 1,000 msg/s was 9-12 ms in
  three runs and the hub sustained 1,500 msg/s.
- What still stands in the way of 0.4x the bare endpoint: on one worker the
  event loop's per-message Python (uvicorn's protocol, Starlette/FastAPI
  routing and middleware, parse, policy, DMV lookup, reply, audit record)
  is several times the bare endpoint's, which does nothing but read and
  answer. Next steps that would move it: the writer in a process of its own
  (no GIL sharing), a raw ASGI route for the one hot path, more workers.
- `Runner.run` frames are mostly uvloop's C code (network I/O and waiting):
  py-spy cannot tell C-level waits from work."""


def _hub(r: dict[str, Any]) -> list[str]:
    hub, bare = r["hub_at_rate"], r["bare_at_rate"]
    rate = r["latency_rate_per_s"]
    lines = [
        "One uvicorn worker each, separate processes; open-model load from a third "
        f"process; {r['senders']} agency keys; ramp steps of {r['step_seconds']} s.",
        "",
        "| | max sustained msg/s | p50 ms | p95 ms | p99 ms | achieved/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, at in (("hub", hub), ("bare FastAPI", bare)):
        top = r["hub_max_sustained_per_s" if name == "hub" else "bare_max_sustained_per_s"]
        lines.append(
            f"| {name} | {top:,.0f} | {at['p50_ms']:.2f} | {at['p95_ms']:.2f} | "
            f"{at['p99_ms']:.2f} | {at['achieved_per_s']:,.0f} |"
        )
    targets = r["targets"]
    lines += [
        "",
        f"Percentiles at {rate:,.0f} msg/s"
        + ("." if r["latency_rate_is_target"] else ": 1,000 msg/s is above the hub's ceiling."),
        f"- **hub/bare = {r['ratio_hub_to_bare']}** (target ≥ 0.4: "
        f"{'met' if targets['ratio_0_4'] else 'missed'})",
        f"- p99 ≤ 25 ms at 1,000 msg/s: {'met' if targets['p99_25ms_at_1000'] else 'missed'}",
    ]
    forms = r.get("forms")
    if forms:
        size = forms["bytes_per_message"]
        lines += [
            "",
            f"The same DQs as legacy text and as Nlets XML 4.00 (answered in XML), each offered "
            f"{forms['offered_per_s']:,.0f}/s for {forms['seconds']} s (text before and after "
            "XML, its rate the mean of the two):",
            "",
            "| form | answered/s | bytes per message |",
            "|---|---:|---:|",
            f"| text | {forms['text_per_s']:,.0f} | {size['text']} |",
            f"| XML | {forms['xml_per_s']:,.0f} | {size['xml']} |",
            "",
            f"- **XML ÷ text = {forms['xml_to_text_ratio']}** ({forms['failed']} failed)",
        ]
    profile = r.get("profile")
    if profile:
        lines += [
            "",
            f"Profile of the hub at {rate:,.0f} msg/s (py-spy, {profile['samples']:,} "
            "samples, all threads; share of samples with the frame on the stack):",
            "",
        ]
        lines += [f"- {label}: {share:.0%}" for label, share in profile["inclusive"].items()]
        lines += ["", "Most time of their own:", ""]
        lines += [f"- `{frame}`: {share:.0%}" for frame, share in profile["top_self"]]
        lines += ["", *PROFILE_READING.splitlines()]
    return lines


def _audit(r: dict[str, Any]) -> list[str]:
    writers = r["writers"]
    lines = [
        "| back end | 1 txn/record | "
        + " | ".join(f"{n} writers (records/batch)" for n in writers)
        + f" | ÷ baseline at {writers[-1]} | write() p50 ms | p99 ms |",
        "|---|" + "---:|" * (len(writers) + 4),
    ]
    for backend in ("sqlite", "postgres"):
        b = r.get(backend)
        if not b:
            continue
        cells = [
            f"{b[f'group_{n}_per_s']:,} ({b[f'group_{n}_records_per_batch']})" for n in writers
        ]
        lines.append(
            f"| {backend} | {b['one_per_transaction_per_s']:,} | "
            + " | ".join(cells)
            + f" | {b[f'ratio_group_{writers[-1]}_to_baseline']}x | "
            f"{b['latency']['p50_ms']} | {b['latency']['p99_ms']} |"
        )
    rate = r["sqlite"]["latency"]["rate_per_s"]
    lines += ["", f"Added latency: `write()`'s await with records arriving at {rate:,.0f}/s."]
    return lines


def _nl(r: dict[str, Any]) -> list[str]:
    nl, one = r["nl"], r["single_state"]
    return [
        f"{r['queries']} of each, through `Hub.submit`, one at a time, DMVs warm.",
        "",
        "| query | destinations | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
        f"| DQ to NL | {'/'.join(map(str, r['destinations_per_nl']))} | "
        f"{nl['p50_ms']} | {nl['p99_ms']} |",
        f"| DQ to one state | 1 | {one['p50_ms']} | {one['p99_ms']} |",
        "",
        f"NL ÷ one state: p50 {r['ratio_nl_to_single_p50']}x, p99 "
        f"{r['ratio_nl_to_single_p99']}x ({r['nl_per_destination_p50_ms']} ms per destination).",
    ]


def _scale(r: dict[str, Any]) -> list[str]:
    lines = [
        f"One shared SQLite audit, {r['cpus']} CPUs, generator on the same machine.",
        "",
        "| workers | max sustained msg/s | ÷ one worker |",
        "|---:|---:|---:|",
    ]
    for n in r["workers"]:
        ratio = r.get(f"ratio_{n}_to_1", 1.0)
        lines.append(f"| {n} | {r[f'workers_{n}_max_sustained_per_s']:,.0f} | {ratio} |")
    lines += [
        "",
        "Every worker and the generator share the machine's CPUs: on 2 CPUs expect no gain",
        "past 2 workers, and ceilings that move by up to 2x between runs.",
        "",
    ]
    if "ratio_2_replicas_to_1" not in r:
        return [*lines, "Replicas on PostgreSQL: not measured (no server answered)."]
    lines += [
        "Hub replicas (separate `switch serve` processes) on one PostgreSQL database,",
        "each given half of every step's rate by a generator of its own:",
        "",
        "| replicas | max sustained msg/s | ÷ one replica |",
        "|---:|---:|---:|",
        f"| 1 | {r['postgres_replicas_1_max_sustained_per_s']:,.0f} | 1.0 |",
        f"| 2 | {r['postgres_replicas_2_max_sustained_per_s']:,.0f} | "
        f"{r['ratio_2_replicas_to_1']} |",
    ]
    return lines


def _scalars(r: dict[str, Any]) -> list[str]:
    """Sections written elsewhere: their top-level figures as they are."""
    return [
        f"- {k}: {v}"
        for k, v in r.items()
        if k != "bench" and not isinstance(v, list) and (not isinstance(v, dict) or k == "targets")
    ]


def _proxies(r: dict[str, Any]) -> list[str]:
    """Per scale: speed against a plain scan, peak memory, and each pattern scored."""
    lines = [
        "| queries | history written rows/s | detector records/s | plain scan records/s"
        " | ÷ scan | detector peak RSS | flagged | look-alikes flagged |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in r["runs"]:
        share = run["look_alike_share"]
        lines.append(
            f"| {run['records']:,} | {run['history_rows_per_s']:,} "
            f"| {run['detector_records_per_s']:,} | {run['baseline_records_per_s']:,} "
            f"| {run['ratio_to_baseline']} | {run['detector_peak_rss_mib']} MiB "
            f"| {run['flagged']:,} | {run['look_alikes_flagged']} of "
            f"{run.get('look_alikes_planted', '?')} planted ({share}) |"
        )
    lines += [
        "",
        "| queries | pattern | planted | flagged | caught | missed | false alarms"
        " | precision | recall |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in r["runs"]:
        for p in run["patterns"]:
            lines.append(
                f"| {run['records']:,} | {p['pattern']} | {p['planted']:,} | {p['flagged']:,} "
                f"| {p['caught']:,} | {p['missed']} | {p['false_alarms']} "
                f"| {p['precision']} | {p['recall']} |"
            )
    lines += ["", f"- load average: {r['load_average']}", f"- target: {r['target']}"]
    return lines


TITLES = {
    "hub": ("1. Hub throughput and latency", _hub),
    "policy": ("2. Policy engine", _scalars),
    "replay": ("3. Replay", _scalars),
    "audit": ("4. Audit write path (group commit)", _audit),
    "nl": ("5. NL multi-state query", _nl),
    "scale": ("6. Scaling: hub workers and replicas", _scale),
    "proxies": ("7. Detector of queries made for others", _proxies),
}


# Below this line BENCHMARKS.md holds measurements taken by hand (before and
# after a change, across commits); a new `make bench` keeps them.
KEPT = "<!-- measured by hand: kept by make bench -->"


def _old_sections(old: str) -> dict[str, list[str]]:
    """The sections of an earlier BENCHMARKS.md, by name, each as its lines."""
    body = old[: old.index(KEPT)] if KEPT in old else old
    by_title = {f"## {title} (`make bench-{name}`)": name for name, (title, _) in TITLES.items()}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in body.splitlines():
        if line.startswith("## "):
            current = sections.setdefault(by_title[line], []) if line in by_title else None
        elif current is not None:
            current.append(line)
    return {name: _trim(lines) for name, lines in sections.items()}


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _old_date(old: str) -> str:
    for line in old.splitlines():
        if line.startswith("- date: "):
            return line.removeprefix("- date: ")
    return "an earlier run"


def write(path: Path, machine: list[str], found: dict[str, dict[str, Any] | None]) -> None:
    """Write BENCHMARKS.md: this run's sections, and the earlier run's others.

    A run of some sections only (`--sections`) keeps the others as the
    earlier file had them, and says which sections come from which run, so
    every ratio in a section still comes from one run.
    """
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = old[old.index(KEPT) :] if KEPT in old else ""
    earlier = _old_sections(old)
    carried = [name for name in TITLES if name not in found and name in earlier]
    lines = ["# Benchmarks", "", "Written by `make bench`; every ratio is from one run.", ""]
    lines += machine
    if carried:
        lines.append(
            f"- measured in this run: {', '.join(found)}; kept from earlier runs,"
            f" each with its date: {', '.join(carried)}"
        )
    for name in TITLES:
        if name not in found and name not in carried:
            continue
        title, render = TITLES[name]
        lines += ["", f"## {title} (`make bench-{name}`)", ""]
        if name in found:
            result = found[name]
            lines += render(result) if result else ["Failed in this run: see its output."]
        else:
            own = earlier[name]
            if not (own and own[0].startswith("_Measured in the run of ")):
                own = [f"_Measured in the run of {_old_date(old)}._", "", *own]
            lines += own
    if kept:
        lines += ["", kept.rstrip("\n")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__)
    parser.add_argument("--sections", default=",".join(SECTIONS))
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument(
        "--logs", type=Path, nargs="+", help="write up saved outputs instead of running"
    )
    args = parser.parse_args(argv)
    machine = _machine()
    if args.logs:
        results = [_last_json(path) for path in args.logs]
        by_name = {r["bench"]: r for r in results}
        found = {name: by_name.get(name) for name in SECTIONS if name in by_name}
    else:
        chosen = [s for s in args.sections.split(",") if (ROOT / "bench" / f"{s}.py").exists()]
        found = {name: _section(name, SECTIONS[name]) for name in chosen}
    write(args.out, machine, found)
    print(f"wrote {args.out}")
    return 0 if all(found.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
