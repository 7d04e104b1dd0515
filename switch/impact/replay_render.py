"""A replay report as a person reads it (table), or as a script does (JSON, CSV).

Loosenings lead every form: a red banner above the table, the first keys of
the JSON, the first rows of the CSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from switch.impact.replay_report import BREAKDOWNS, ReplayReport, Transition

CSV_HEADER = ("kind", "old", "new", "dimension", "value", "count", "examples")
_ARROW = {"loosen": "red", "tighten": "yellow", "unchanged": "dim"}
_SHOWN = 8  # values per breakdown in the table; the JSON and CSV have them all


def render_replay_json(report: ReplayReport) -> str:
    return json.dumps(report.as_dict(), indent=1)


def render_replay_csv(report: ReplayReport) -> str:
    """One row per transition total and per breakdown value; unreplayable last."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for t in report.transitions:
        writer.writerow((t.kind, t.old, t.new, "total", "", t.count, " ".join(t.examples)))
        for name in BREAKDOWNS:
            for value, count in _ranked(t.breakdown(name)):
                examples = t.examples_by_state.get(value, []) if name == "state" else []
                writer.writerow((t.kind, t.old, t.new, name, value, count, " ".join(examples)))
    gone = report.unreplayable
    if gone.count:
        writer.writerow(("unreplayable", "", "", "total", "", gone.count, " ".join(gone.examples)))
        for name, counts in (("ori", gone.by_ori), ("state", gone.by_state)):
            for value, count in _ranked(counts):
                writer.writerow(("unreplayable", "", "", name, value, count, ""))
    return out.getvalue()


def print_replay_table(report: ReplayReport, console: Console) -> None:
    if report.loosenings:
        states = ", ".join(sorted({s for t in report.of_kind("loosen") for s in t.by_state}))
        console.print(
            Panel(
                Text(
                    f"LOOSENS ACCESS: {_queries(report.loosenings)} recorded as denied "
                    f"would be permitted by the candidate ({states})",
                    style="bold white",
                    justify="center",
                ),
                style="bold white on red",
                expand=False,
            )
        )
    console.print(_summary(report), highlight=False)
    for t in (*report.of_kind("loosen"), *report.of_kind("tighten")):
        console.print(_transition_table(t))
    unchanged = report.of_kind("unchanged")
    if unchanged:
        table = Table(title="Unchanged", title_justify="left")
        table.add_column("old → new")
        table.add_column("queries", justify="right")
        for t in unchanged:
            table.add_row(f"{t.old} → {t.new}", f"{t.count:,}")
        console.print(table)
    if report.unreplayable.count:
        console.print(_unreplayable(report))
    console.print(
        f"{report.records:,} recorded queries in {report.seconds:.2f} s "
        f"({report.records_per_s:,.0f} records/s, {report.evaluations:,} evaluations)",
        style="dim",
        highlight=False,
    )


def _summary(report: ReplayReport) -> Text:
    if len(report.candidate) <= 4:
        versions = ", ".join(f"{s} {v}" for s, v in sorted(report.candidate.items()))
    else:
        states = sorted(report.candidate)
        versions = (
            f"for {len(states)} states ({states[0]} … {states[-1]}; versions in --format json)"
        )
    window = ""
    if report.since or report.until:
        since = report.since.isoformat() if report.since else "the start"
        until = report.until.isoformat() if report.until else "the end"
        window = f", received {since} to {until} (exclusive)"
    text = Text(f"Replayed {report.replayed:,} recorded queries with candidate {versions}{window}.")
    text.append(f"\nWould change {report.changed:,}: ")
    text.append(f"{report.loosenings:,} loosened", style="bold red" if report.loosenings else "")
    text.append(f", {report.tightenings:,} tightened.")
    if not report.loosenings:
        text.append(" Loosens nothing.", style="bold green")
    return text


def _transition_table(t: Transition) -> Table:
    table = Table(
        title=f"{t.old} → {t.new} ({t.kind}): {_queries(t.count)}",
        title_justify="left",
        title_style=f"bold {_ARROW[t.kind]}",
        show_header=True,
    )
    table.add_column("by")
    table.add_column("queries")
    for name in BREAKDOWNS:
        table.add_row(name, _line(t.breakdown(name)))
    table.add_row("examples", " ".join(t.examples))
    return table


def _unreplayable(report: ReplayReport) -> Group:
    gone = report.unreplayable
    title = Text(
        f"Unreplayable: {_queries(gone.count)} from senders no longer in the "
        "directory (not re-decided)",
        style="bold yellow",
    )
    table = Table(show_header=False)
    table.add_column("by")
    table.add_column("queries")
    table.add_row("ori", _line(gone.by_ori))
    table.add_row("state", _line(gone.by_state))
    table.add_row("examples", " ".join(gone.examples))
    return Group(title, table)


def _queries(n: int) -> str:
    return f"{n:,} {'query' if n == 1 else 'queries'}"


def _line(counts: Counter[str]) -> str:
    ranked = _ranked(counts)
    shown = " · ".join(f"{value} {count:,}" for value, count in ranked[:_SHOWN])
    rest = len(ranked) - _SHOWN
    return shown + (f" · … {rest} more" if rest > 0 else "")


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
