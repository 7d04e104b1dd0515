"""The detector's findings as a person reads them (table, HTML page) or as
a script does (JSON, CSV). Machine forms carry every flagged query; the
table shows the first `SHOWN` of them, and the totals."""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from switch.impact.proxies import ProxyReport
from switch.impact.proxies_score import Suspicion
from switch.impact.proxies_truth import TruthScore

SHOWN = 20
CSV_HEADER = (
    "kind", "pattern", "query_id", "at", "requester", "state", "decision", "refusal_id",
    "refused_requester", "seconds_after", "score", "evidence", "count",
)  # fmt: skip


def _iso(at: Any) -> str | None:
    return at.isoformat() if at is not None else None


def suspicion_dict(s: Suspicion) -> dict[str, Any]:
    return {
        "query_id": s.query.id,
        "at": s.query.at.isoformat(),
        "requester": s.query.ori,
        "state": s.query.state,
        "key": s.query.key,
        "decision": s.query.decision,
        "pattern": s.pattern,
        "score": s.score,
        "refusal_id": s.refusal.id,
        "refused_at": s.refusal.at.isoformat(),
        "refused_requester": s.refusal.ori,
        "subject": s.refusal.subject,
        "seconds_after": round(s.seconds_after, 3),
        "why": "; ".join(e.words for e in s.evidence),
        "evidence": [
            {"code": e.code, "points": e.points, "words": e.words, "value": e.value}
            for e in s.evidence
        ],
    }


def report_dict(report: ProxyReport, truth: TruthScore | None = None) -> dict[str, Any]:
    flagged = report.flagged
    data: dict[str, Any] = {
        "state": report.state,
        "since": _iso(report.since),
        "until": _iso(report.until),
        "window_hours": report.window.total_seconds() / 3600,
        "threshold": report.threshold,
        "records": report.records,
        "refusals": report.refusals,
        "linked": report.linked,
        "scored": len(report.scored),
        "flagged": len(flagged),
        "by_pattern": report.by_pattern(),
        "by_requester": report.by_requester(),
        "by_refused_requester": report.by_refused(),
        "rule_of_thumb": report.rule_of_thumb,
        "seconds": round(report.seconds, 3),
        "suspicions": [suspicion_dict(s) for s in flagged],
    }
    if truth is not None:
        data["truth"] = truth.as_dict()
    return data


def render_json(report: ProxyReport, truth: TruthScore | None = None) -> str:
    return json.dumps(report_dict(report, truth), indent=1)


def render_csv(report: ProxyReport, truth: TruthScore | None = None) -> str:
    """One row per flagged query, then the totals (by pattern, by requester,
    and against the truth when given): kind says which."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_HEADER)
    blank = ("",) * 9
    for s in report.flagged:
        d = suspicion_dict(s)
        w.writerow(
            ("relay", s.pattern, s.query.id, d["at"], s.query.ori, s.query.state,
             s.query.decision or "", s.refusal.id, s.refusal.ori, d["seconds_after"],
             s.score, d["why"], 1)
        )  # fmt: skip
    for pattern, count in report.by_pattern().items():
        w.writerow(("pattern", pattern, *blank, "", "", count))
    for ori, counts in report.by_requester().items():
        for pattern, count in counts.items():
            w.writerow(("requester", pattern, "", "", ori, *("",) * 6, "", count))
    if truth is not None:
        for p in truth.patterns:
            for name in ("planted", "caught", "missed", "false_alarms", "precision", "recall"):
                value = p.as_dict()[name]
                w.writerow(
                    (f"truth-{name}", p.pattern, *blank, "", "", "" if value is None else value)
                )
        w.writerow(("truth-look-alikes", "look-alike", *blank, "", "", truth.look_alikes))
    return out.getvalue()


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_table(report: ProxyReport, console: Console, truth: TruthScore | None = None) -> None:
    flagged = report.flagged
    scope = report.state or "every state"
    console.print(
        f"{len(flagged):,} suspected relay(s) in {report.records:,} records ({scope}); "
        f"{report.refusals:,} refusals of ICE or CBP, {report.linked:,} later queries about "
        f"the same person within {report.window.total_seconds() / 3600:g} h",
        highlight=False,
    )
    totals = Table(title="By pattern")
    totals.add_column("pattern")
    totals.add_column("flagged", justify="right")
    for pattern, count in report.by_pattern().items():
        totals.add_row(pattern, f"{count:,}")
    console.print(totals)
    requesters = Table(title="By requester")
    requesters.add_column("requester")
    requesters.add_column("flagged", justify="right")
    requesters.add_column("patterns")
    for ori, counts in list(report.by_requester().items())[:SHOWN]:
        patterns = ", ".join(f"{p} {n}" for p, n in counts.items())
        requesters.add_row(ori, str(sum(counts.values())), patterns)
    console.print(requesters)
    if flagged:
        table = Table(title=f"Suspected relays (first {min(SHOWN, len(flagged))})")
        for name in ("query", "requester", "pattern", "score", "after", "why"):
            table.add_column(name)
        for s in flagged[:SHOWN]:
            table.add_row(
                s.query.id, s.query.ori, s.pattern, str(s.score),
                f"{s.seconds_after / 60:.0f} min", "; ".join(e.words for e in s.evidence),
            )  # fmt: skip
        console.print(table)
    if truth is not None:
        scores = Table(title="Against the ground truth")
        for name in ("pattern", "planted", "flagged", "caught", "missed", "false alarms",
                     "precision", "recall"):  # fmt: skip
            scores.add_column(name)
        for p in truth.patterns:
            scores.add_row(
                p.pattern, str(p.planted), str(p.flagged), str(p.caught), str(p.missed),
                str(p.false_alarms), _ratio(p.precision), _ratio(p.recall),
            )  # fmt: skip
        console.print(scores)
        console.print(
            f"look-alikes flagged: {truth.look_alikes} of {truth.flagged} "
            f"({_ratio(truth.look_alike_share)}); planted {truth.look_alikes_planted}",
            highlight=False,
        )
    console.print(f"rule of thumb: {report.rule_of_thumb}", highlight=False)


def _rows(head: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: ProxyReport, truth: TruthScore | None = None) -> str:
    """A self-contained page (no script, no outside file): works offline."""
    flagged = report.flagged
    parts = [
        "<!doctype html><html lang=en><meta charset=utf-8>",
        "<title>Queries that may have been made for others</title>",
        "<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style>",
        "<h1>Queries that may have been made for others</h1>",
        f"<p>{len(flagged):,} suspected relay(s) in {report.records:,} records "
        f"({html.escape(report.state or 'every state')}).</p>",
        f"<p>Rule of thumb: {html.escape(report.rule_of_thumb)}</p>",
        "<h2>By pattern</h2>",
        _rows(("pattern", "flagged"), list(report.by_pattern().items())),
        "<h2>By requester</h2>",
        _rows(
            ("requester", "flagged", "patterns"),
            [
                (ori, sum(c.values()), ", ".join(f"{p} {n}" for p, n in c.items()))
                for ori, c in report.by_requester().items()
            ],
        ),
        "<h2>Suspected relays</h2>",
        _rows(
            ("query", "requester", "pattern", "score", "minutes after", "refused", "why"),
            [
                (s.query.id, s.query.ori, s.pattern, s.score, f"{s.seconds_after / 60:.0f}",
                 s.refusal.ori, "; ".join(e.words for e in s.evidence))
                for s in flagged
            ],
        ),
    ]  # fmt: skip
    if truth is not None:
        parts += [
            "<h2>Against the ground truth</h2>",
            _rows(
                ("pattern", "planted", "flagged", "caught", "missed", "false alarms",
                 "precision", "recall"),
                [(p.pattern, p.planted, p.flagged, p.caught, p.missed, p.false_alarms,
                  _ratio(p.precision), _ratio(p.recall)) for p in truth.patterns],
            ),
            f"<p>Look-alikes flagged: {truth.look_alikes} of {truth.flagged}.</p>",
        ]  # fmt: skip
    return "".join(parts) + "</html>\n"
