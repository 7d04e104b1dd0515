"""Policy-engine benchmark: `python -m bench.policy` (or `make bench-policy`).

Decides one seeded, mixed request set against every shipped policy, five
ways: the switch's `evaluate` on prebuilt facts (the engine core), the
switch's `PolicyStore.decide` end to end (facts built per request), cedarpy
one call per request and one batch call, and pycasbin. Each figure is the
best of `--repeats` interleaved runs on one core and is quoted as a ratio
against the switch measured in the same run, because these machines are
noisy. Every baseline decision must equal the switch's, on the timed set and
on an untimed grid of every kind of requester against every state, key and
warrant level. The last line of standard output is one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cedarpy
from rich.console import Console
from rich.table import Table

from bench import _casbin, _cedar
from bench._casbin import CasbinBaseline
from bench._cedar import CedarBaseline
from bench._equivalent import Unsupported, deciding_rules
from bench._timing import Path as Timed
from bench._timing import Timing, best_of
from bench._workload import IMMIGRATION, grid_requests, mixed_requests
from switch.directory import Directory
from switch.policy import Facts, PolicyRequest, PolicyStore, evaluate

TARGET_PER_S = 500_000
TARGET_CEDAR_BATCH_RATIO = 20.0


@dataclass(frozen=True, slots=True)
class Engines:
    store: PolicyStore
    cedar: CedarBaseline
    casbin: CasbinBaseline


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Every path's decisions on one request set, in request order."""

    switch: list[bool]
    switch_decide: list[bool]
    cedarpy_single: list[cedarpy.AuthzResult]
    cedarpy_batch: list[cedarpy.AuthzResult]
    pycasbin: list[bool]

    def mismatches(self) -> dict[str, int]:
        def count(got: Sequence[bool]) -> int:
            return sum(a != b for a, b in zip(self.switch, got, strict=True))

        return {
            "switch_decide": count(self.switch_decide),
            "cedarpy_single": count([r.allowed for r in self.cedarpy_single]),
            "cedarpy_batch": count([r.allowed for r in self.cedarpy_batch]),
            "pycasbin": count(self.pycasbin),
        }

    def cedar_errors(self) -> int:
        both = (*self.cedarpy_single, *self.cedarpy_batch)
        return sum(bool(r.diagnostics.errors) for r in both)


def measure(
    engines: Engines, requests: Sequence[PolicyRequest], repeats: int
) -> tuple[list[Timing], Outcomes]:
    store, cedar, casbin = engines.store, engines.cedar, engines.casbin
    # Inputs prebuilt, so each path is timed on its own decision work only.
    pairs = [(store.require(r.state), Facts.of(r)) for r in requests]
    cedar_requests = [_cedar.request(r) for r in requests]
    casbin_requests = [_casbin.request(r) for r in requests]
    decide = store.decide
    paths = [
        Timed("switch evaluate", lambda: [evaluate(p, f) for p, f in pairs]),
        Timed("switch decide", lambda: [decide(r) for r in requests]),
        Timed("cedarpy single", lambda: cedar.single(cedar_requests)),
        Timed("cedarpy batch", lambda: cedar.batch(cedar_requests)),
        Timed("pycasbin", lambda: casbin.enforce(casbin_requests)),
    ]
    timings, (core, decided, single, batch, enforced) = best_of(paths, len(requests), repeats)
    outcomes = Outcomes(
        switch=[d.permitted for d in core],
        switch_decide=[d.permitted for d in decided],
        cedarpy_single=single,
        cedarpy_batch=batch,
        pycasbin=enforced,
    )
    return timings, outcomes


def check(engines: Engines, requests: Sequence[PolicyRequest]) -> Outcomes:
    store, cedar, casbin = engines.store, engines.cedar, engines.casbin
    cedar_requests = [_cedar.request(r) for r in requests]
    return Outcomes(
        switch=[evaluate(store.require(r.state), Facts.of(r)).permitted for r in requests],
        switch_decide=[store.decide(r).permitted for r in requests],
        cedarpy_single=cedar.single(cedar_requests),
        cedarpy_batch=cedar.batch(cedar_requests),
        pycasbin=casbin.enforce([_casbin.request(r) for r in requests]),
    )


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    store = PolicyStore.load(args.policies)
    policies = [store.require(state) for state in store.versions()]
    directory = Directory.load()
    missing = sorted(set(directory.states()) - store.versions().keys())
    if missing:
        raise SystemExit(f"no policy in {args.policies} for {', '.join(missing)}")
    states = deciding_rules(policies)
    engines = Engines(store, CedarBaseline(states, directory), CasbinBaseline(states))
    requests = mixed_requests(directory, args.requests, args.seed)
    immigration = sum(r.requester.component in IMMIGRATION for r in requests)
    console.print(
        f"{len(requests):,} requests ({immigration:,} from {'/'.join(sorted(IMMIGRATION))}) "
        f"against {len(policies)} policies; best of {args.repeats} interleaved runs"
    )

    timings, timed = measure(engines, requests, args.repeats)
    # Uniform traffic denies rarely; the grid meets every rule from every side.
    grid = grid_requests(directory)
    checked = check(engines, grid)
    wrong = {k: v + checked.mismatches()[k] for k, v in timed.mismatches().items()}

    core, end_to_end, single, batch, enforced = timings
    report(console, timings, core)
    return {
        "bench": "policy",
        "requests": len(requests),
        "repeats": args.repeats,
        "seed": args.seed,
        "policies": len(policies),
        "denied": timed.switch.count(False),
        "checked": len(requests) + len(grid),
        "checked_denied": timed.switch.count(False) + checked.switch.count(False),
        "switch_evaluate_us": round(core.us, 4),
        "switch_decisions_per_s": round(core.per_s),
        "switch_decide_us": round(end_to_end.us, 4),
        "switch_decide_per_s": round(end_to_end.per_s),
        "cedarpy_single_us": round(single.us, 3),
        "cedarpy_batch_us": round(batch.us, 3),
        "pycasbin_us": round(enforced.us, 3),
        "ratio_vs_cedarpy_batch": round(batch.ratio(core), 1),
        "ratio_vs_cedarpy_single": round(single.ratio(core), 1),
        "ratio_vs_pycasbin": round(enforced.ratio(core), 1),
        "decide_ratio_vs_cedarpy_batch": round(batch.ratio(end_to_end), 1),
        "mismatches": wrong,
        "cedarpy_errors": timed.cedar_errors() + checked.cedar_errors(),
        "targets": {
            "decisions_per_s_500k": core.per_s >= TARGET_PER_S,
            "cedar_batch_20x": batch.ratio(core) >= TARGET_CEDAR_BATCH_RATIO,
        },
    }


def report(console: Console, timings: Sequence[Timing], switch: Timing) -> None:
    table = Table(title="Policy decisions, one core, explain off")
    table.add_column("path")
    table.add_column("µs / decision", justify="right")
    table.add_column("decisions / s", justify="right")
    table.add_column("time vs switch evaluate", justify="right")
    for t in timings:
        table.add_row(t.name, f"{t.us:.3f}", f"{t.per_s:,.0f}", f"{t.ratio(switch):.1f}x")
    console.print(table)


def verdicts(console: Console, result: dict[str, Any]) -> bool:
    """Print whether the targets hold; True if every decision agreed."""
    targets, wrong = result["targets"], result["mismatches"]

    def mark(ok: bool) -> str:
        return "[green]met[/]" if ok else "[red]missed[/]"

    console.print(
        f"switch evaluate ≥ {TARGET_PER_S:,}/s: {mark(targets['decisions_per_s_500k'])} "
        f"({result['switch_decisions_per_s']:,}/s)"
    )
    console.print(
        f"switch ≥ {TARGET_CEDAR_BATCH_RATIO:.0f}x faster than cedarpy batch: "
        f"{mark(targets['cedar_batch_20x'])} ({result['ratio_vs_cedarpy_batch']}x)"
    )
    agreed = not any(wrong.values()) and not result["cedarpy_errors"]
    console.print(
        f"decisions agree: {mark(agreed)} over {result['checked']:,} requests "
        f"({result['checked_denied']:,} denied): mismatches {wrong}, "
        f"cedarpy errors {result['cedarpy_errors']}"
    )
    return agreed


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    def positive(text: str) -> int:
        value = int(text)
        if value < 1:
            raise argparse.ArgumentTypeError("must be at least 1")
        return value

    parser = argparse.ArgumentParser(prog="python -m bench.policy", description=__doc__)
    parser.add_argument("--policies", type=Path, default=Path("policies"))
    parser.add_argument("--requests", type=positive, default=20_000)
    parser.add_argument("--repeats", type=positive, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 1 if any decision disagrees, 2 if a shipped rule has no translation;
    missed speed targets are reported, not fatal."""
    args = parse_args(argv)
    console = Console(highlight=False, width=100)
    try:
        result = run(args, console)
    except Unsupported as exc:
        print(f"bench.policy: no equivalent Cedar/Casbin policy: {exc}", file=sys.stderr)
        return 2
    agreed = verdicts(console, result)
    # INVARIANT: the JSON is the last line of standard output, for scripts.
    console.file.flush()
    print(json.dumps(result), flush=True)
    return 0 if agreed else 1


if __name__ == "__main__":
    sys.exit(main())
