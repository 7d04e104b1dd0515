"""Blocking options side by side as one self-contained HTML page, drawn
with the reports' charts and style: no script, font, style or URL from
elsewhere, so it opens offline and can be mailed as it is."""

from __future__ import annotations

from html import escape

from switch.impact.compare import Comparison
from switch.impact.compare_column import Column, Split
from switch.impact.compare_render import figures
from switch.reports._html import STYLE, _table
from switch.reports._svg import bar_chart


def _bars(columns: tuple[Column, ...], split: str, title: str) -> str:
    rows: list[tuple[str, int, int]] = []
    for column in columns:
        found: Split = getattr(column, split)
        rows.append((column.name, found.answered, found.refused))
    return bar_chart(rows, title)


def _summary(comparison: Comparison) -> str:
    items = []
    for column in comparison.columns:
        test = column.letter_test()

        def pct(key: str, test: dict[str, float | None] = test) -> str:
            value = test[key]
            return "no such queries" if value is None else f"{value:.1f}%"

        items.append(
            f"<li><strong>{escape(column.name)}</strong>: immigration queries blocked "
            f"{pct('immigration_blocked_pct')}, suspected relays blocked "
            f"{pct('relays_blocked_pct')}, serious-crime cooperation kept "
            f"{pct('serious_crime_kept_pct')}; {column.notices_owed:,} notices and "
            f"{column.reports_owed:,} reports owed.</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def render_compare_html(comparison: Comparison) -> str:
    c = comparison
    cols = c.columns
    since = c.since.date().isoformat() if c.since else "the start of the record"
    until = c.until.isoformat() if c.until else "its end"
    head = ["Figure", *(col.name for col in cols)]
    numeric = range(1, len(head))
    body = [
        [f"<td>{escape(name)}</td>", *(f'<td class="n">{escape(v)}</td>' for v in values)]
        for name, values in figures(c)
    ]
    affected = [
        [
            f"<td>{escape(col.name)}</td>",
            f"<td>{escape(ori)}</td>",
            f'<td class="n">{col.lost[ori]:,}</td>',
            f'<td class="n">{col.gained[ori]:,}</td>',
        ]
        for col in cols[1:]
        for ori in col.affected
    ]
    sources = "".join(
        f"<li><strong>{escape(col.name)}</strong>: {escape(col.title)} "
        f"(<code>{escape(col.source)}</code>, {escape(col.version[:19])})</li>"
        for col in cols
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(c.state)}: blocking options side by side</title>"
        f"<style>{STYLE}</style></head><body><main>"
        f'<p class="kicker">Blocking options</p><h1>{escape(c.state)}: what each option '
        "would have answered</h1>"
        f'<p class="period">{c.records:,} recorded queries to {escape(c.state)}, from '
        f"{escape(since)} to {escape(until)}, each re-decided by every option. "
        f"{cols[0].relays.asked:,} of them the detector suspects were made for a refused "
        "federal immigration requester.</p>"
        '<div class="summary"><p>The letter\'s test, "block immigration enforcement while '
        'still allowing cooperation on serious crimes", as numbers (not a verdict):</p>'
        f"{_summary(c)}</div>"
        "<h2>Immigration-enforcement queries (ICE-ERO, ICE-HSI, CBP)</h2>"
        + _bars(cols, "immigration", "Immigration queries answered and refused, by option")
        + "<h2>Through suspected relays</h2>"
        '<p class="note">Queries the detector flags (287(g) partners, HSI after a refused '
        "ERO query, local police for a federal office), re-decided by each option.</p>"
        + _bars(cols, "relays", "Suspected relays answered and refused, by option")
        + "<h2>Cooperation on serious crime</h2>"
        '<p class="note">Queries declaring RSN V, N, F or S, or from the FBI, DEA, ATF or '
        "USMS (counted once). Permitted is kept; refused is lost.</p>"
        + _bars(cols, "serious", "Serious-crime queries kept and lost, by option")
        + "<h2>Every figure</h2>"
        + _table("One row per figure, one column per option", head, body, numeric)
        + "<h2>Agencies affected</h2>"
        + _table(
            "Agencies whose answers an option changes against the policy in force",
            ["Option", "Agency", "Lost", "Gained"],
            affected,
            range(2, 4),
        )
        + f"<h2>The options</h2><ul>{sources}</ul>"
        "<footer>Answered means the option permits the query; a simulated history, "
        "decided again, not a record of real queries.</footer></main></body></html>\n"
    )
