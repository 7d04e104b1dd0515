"""The report's section "Queries that may have been made for others": the
detector (`switch.impact.proxies`) run over the state's refusals in the
period, as counts by pattern, a few examples and the rule of thumb."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table
from sqlalchemy import Engine

from switch.directory import Directory
from switch.impact.proxies import find_proxies
from switch.impact.proxies_score import PATTERNS, RULE_OF_THUMB
from switch.reports._period import Period

TITLE = "Queries that may have been made for others"
EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class Example:
    message_id: str
    requester: str
    pattern: str
    minutes_after: float
    refused_requester: str


@dataclass(frozen=True, slots=True)
class ProxySection:
    by_pattern: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PATTERNS, 0))
    examples: list[Example] = field(default_factory=list)
    rule_of_thumb: str = RULE_OF_THUMB

    @property
    def total(self) -> int:
        return sum(self.by_pattern.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": TITLE,
            "total": self.total,
            "by_pattern": dict(self.by_pattern),
            "examples": [
                {
                    "message_id": e.message_id,
                    "requester": e.requester,
                    "pattern": e.pattern,
                    "minutes_after": e.minutes_after,
                    "refused_requester": e.refused_requester,
                }
                for e in self.examples
            ],
            "rule_of_thumb": self.rule_of_thumb,
        }


def build_section(engine: Engine, directory: Directory, state: str, period: Period) -> ProxySection:
    found = find_proxies(engine, directory, state=state, since=period.start, until=period.end)
    examples = [
        Example(s.query.id, s.query.ori, s.pattern, round(s.seconds_after / 60, 1), s.refusal.ori)
        for s in found.flagged[:EXAMPLES]
    ]
    return ProxySection(found.by_pattern(), examples)


def csv_rows(section: ProxySection) -> Iterator[tuple[str, str, str, str, str | int]]:
    for pattern, count in section.by_pattern.items():
        yield "proxies", pattern, "", "queries", count
    for e in section.examples:
        detail = f"{e.requester} {e.minutes_after:g} min after {e.refused_requester}"
        yield "proxies", e.pattern, detail, "example", e.message_id
    yield "proxies", "rule_of_thumb", section.rule_of_thumb, "threshold", 0


def table(section: ProxySection) -> Table:
    out = Table(title=TITLE, caption=f"Rule of thumb: {section.rule_of_thumb}")
    for name in ("pattern", "queries", "examples"):
        out.add_column(name)
    for pattern, count in section.by_pattern.items():
        shown = [f"{e.message_id} ({e.requester}, {e.minutes_after:g} min)"
                 for e in section.examples if e.pattern == pattern]  # fmt: skip
        out.add_row(pattern, str(count), "\n".join(shown))
    return out


def html_section(section: ProxySection | None) -> str:
    if section is None:
        return ""
    e = html.escape
    rows = "".join(f"<tr><td>{e(p)}</td><td>{n:,}</td></tr>" for p, n in section.by_pattern.items())
    examples = "".join(
        f"<li><code>{e(x.message_id)}</code> by {e(x.requester)}, {x.minutes_after:g} min after "
        f"{e(x.refused_requester)} was refused ({e(x.pattern)})</li>"
        for x in section.examples
    )
    return (
        f'<section aria-labelledby="proxies"><h2 id="proxies">{TITLE}</h2>'
        f"<table><thead><tr><th>pattern</th><th>queries</th></tr></thead><tbody>{rows}</tbody>"
        f'</table><ul>{examples}</ul><p class="note">Rule of thumb: {e(section.rule_of_thumb)}'
        "</p></section>"
    )
