"""A comparison as JSON (everything) or as a table of plain lines: one
line per figure, `figure  value value …`, one value per option in column
order, so `grep '^serious.kept '` finds a figure for every option."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from switch.directory import Directory
from switch.impact.compare import Comparison
from switch.impact.compare_column import Column, Split
from switch.impact.proxies_score import PATTERNS


def _when(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _serious(split: Split) -> dict[str, int]:
    return {"asked": split.asked, "kept": split.answered, "lost": split.refused}


def column_dict(column: Column, directory: Directory) -> dict[str, Any]:
    def named(ori: str) -> str | None:
        agency = directory.get(ori)
        return None if agency is None else agency.name

    return {
        "name": column.name,
        "source": column.source,
        "version": column.version,
        "title": column.title,
        "immigration": {
            **column.immigration.as_dict(),
            "by_component": {k: s.as_dict() for k, s in column.by_component.items()},
        },
        "relays": {
            **column.relays.as_dict(),
            "by_pattern": {k: s.as_dict() for k, s in column.relays_by_pattern.items()},
        },
        "serious_crime": {
            **_serious(column.serious),
            "by_reason": {k: _serious(s) for k, s in column.serious_by_reason.items()},
            "by_component": {k: _serious(s) for k, s in column.serious_by_component.items()},
        },
        "obligations": {
            "notices_owed": column.notices_owed,
            "reports_owed": column.reports_owed,
            "flagged_for_review": column.flagged_for_review,
            "agencies_owing": len(column.owing_agencies),
        },
        "agencies_affected": {
            "count": len(column.affected),
            "lost": sum(column.lost.values()),
            "gained": sum(column.gained.values()),
            "agencies": [
                {
                    "ori": ori,
                    "name": named(ori),
                    "lost": column.lost[ori],
                    "gained": column.gained[ori],
                }
                for ori in column.affected
            ],
        },
        "letter_test": column.letter_test(),
    }


def comparison_dict(comparison: Comparison, directory: Directory) -> dict[str, Any]:
    detector = comparison.detector
    return {
        "state": comparison.state,
        "since": _when(comparison.since),
        "until": _when(comparison.until),
        "records": comparison.records,
        "unknown_senders": comparison.unknown,
        "classes": comparison.classes,
        "relays": {
            "flagged": sum(1 for s in detector.flagged if s.query.state == comparison.state),
            "window_hours": detector.window.total_seconds() / 3600,
            "threshold": detector.threshold,
            "records_read": detector.records,
            "seconds": round(detector.seconds, 3),
            "rule_of_thumb": detector.rule_of_thumb,
        },
        "letter_test": "block immigration enforcement while still allowing cooperation on "
        "serious crimes: immigration_blocked_pct and relays_blocked_pct against "
        "serious_crime_kept_pct, per option; numbers, not a verdict",
        "columns": [column_dict(c, directory) for c in comparison.columns],
        "seconds": round(comparison.seconds, 3),
        "replay_seconds": round(comparison.replay_seconds, 3),
        "records_per_s": round(comparison.records_per_s),
        "audit_records_per_s": round(comparison.audit_records_per_s),
    }


def render_json(comparison: Comparison, directory: Directory) -> str:
    return json.dumps(comparison_dict(comparison, directory), indent=1)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def figures(comparison: Comparison) -> Iterator[tuple[str, list[str]]]:
    """(figure, one value per column) in the order the table shows them."""
    cols = comparison.columns

    def row(name: str, values: list[Any]) -> tuple[str, list[str]]:
        return name, [str(v) for v in values]

    yield row("option.version", [c.version[:19] for c in cols])
    yield row("immigration.asked", [c.immigration.asked for c in cols])
    yield row("immigration.answered", [c.immigration.answered for c in cols])
    for component in cols[0].by_component:
        yield row(
            f"immigration.answered.{component}", [c.by_component[component].answered for c in cols]
        )
    yield row("relays.flagged", [c.relays.asked for c in cols])
    yield row("relays.answered", [c.relays.answered for c in cols])
    for pattern in PATTERNS:
        yield row(
            f"relays.answered.{pattern}", [c.relays_by_pattern[pattern].answered for c in cols]
        )
    yield row("serious.asked", [c.serious.asked for c in cols])
    yield row("serious.kept", [c.serious.answered for c in cols])
    yield row("serious.lost", [c.serious.refused for c in cols])
    for reason in cols[0].serious_by_reason:
        yield row(f"serious.lost.RSN-{reason}", [c.serious_by_reason[reason].refused for c in cols])
    for component in cols[0].serious_by_component:
        yield row(
            f"serious.lost.{component}", [c.serious_by_component[component].refused for c in cols]
        )
    yield row("notices.owed", [c.notices_owed for c in cols])
    yield row("reports.owed", [c.reports_owed for c in cols])
    yield row("review.flagged", [c.flagged_for_review for c in cols])
    yield row("agencies.owing", [len(c.owing_agencies) for c in cols])
    yield row("agencies.affected", [len(c.affected) for c in cols])
    yield row("queries.lost", [sum(c.lost.values()) for c in cols])
    yield row("queries.gained", [sum(c.gained.values()) for c in cols])
    tests = [c.letter_test() for c in cols]
    for key in tests[0]:
        yield row(f"test.{key}", [_pct(t[key]) for t in tests])


def render_table(comparison: Comparison) -> str:
    """Plain lines, never wrapped: a header in words, then the figures."""
    c = comparison
    window = f"{_when(c.since) or 'the start'} to {_when(c.until) or 'the end'}"
    lines = [
        f"{c.state}: {c.records:,} recorded queries ({window}), "
        f"{len(c.columns) - 1} option(s) beside the policy in force, "
        f"{c.columns[0].relays.asked} suspected relay(s)",
        "answered = the option permits it; the letter's test (block immigration enforcement, "
        "keep serious-crime cooperation) as shares, not a verdict",
    ]
    if c.unknown:
        lines.append(f"{c.unknown:,} queries from senders not in the directory: not decided")
    rows = [("figure", [col.name for col in c.columns]), *figures(c)]
    first = max(len(name) for name, _ in rows)
    widths = [max(len(values[i]) for _, values in rows) for i in range(len(c.columns))]
    for name, values in rows:
        cells = "  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True))
        lines.append(f"{name.ljust(first)}  {cells}".rstrip())
    for col in c.columns[1:]:
        for ori in col.affected:
            lines.append(f"affected {col.name} {ori} lost {col.lost[ori]} gained {col.gained[ori]}")
    for col in c.columns:
        lines.append(f"source {col.name} {col.source}")
    lines.append(
        f"{c.records:,} queries, {c.classes:,} classes in {c.seconds:.2f} s "
        f"(the detector: {c.detector.records:,} audit records in {c.detector.seconds:.2f} s)"
    )
    return "\n".join(lines) + "\n"
