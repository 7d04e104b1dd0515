"""The report as one self-contained HTML file an official can read unaided: plain-language
summary first, then tables and inline SVG charts. No script, font, style or URL from elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from switch.reports._model import DEFAULT_RULE, Group, Report, Tally
from switch.reports._proxies import html_section
from switch.reports._summary import percent, period_words, plural
from switch.reports._svg import bar_chart, time_chart

# Bars drawn per chart; the table beside it lists every group.
CHART_ROWS = 12

NOTES = {
    "by_department": "The federal department the requesting agency belongs to. State and "
    "local agencies belong to none.",
    "by_component": "The federal component (ICE-ERO, ICE-HSI, CBP, FBI, …) that asked. "
    "ICE-ERO is ICE's deportation arm; ICE-HSI its investigations arm.",
    "by_type": "The kind of agency that asked, as the national agency directory (ORION) "
    "records it.",
    "by_requester_state": "The state the requesting agency is in; a federal office counts "
    "in the state where it sits.",
    "by_locality": "Whether the agency that asked is in this state or outside it.",
    "by_key": "What was asked for. A query names a licence, a vehicle or a driving history.",
    "by_reason": "The reason the requester declared. Giving one is optional, so these are "
    "the requester's own words, not a finding.",
}

STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1f2933;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; background: #fff; }
h1 { font-size: 1.8rem; margin: 0.2rem 0 0.4rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 0.6rem; border-bottom: 2px solid #d5dbe1;
  padding-bottom: 0.2rem; }
h3 { font-size: 1.1rem; margin: 1.6rem 0 0.3rem; }
.kicker { text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.8rem;
  color: #52606d; margin: 0; }
.period, .note { color: #52606d; margin: 0.2rem 0 0.6rem; }
.summary { font-size: 1.12rem; background: #eef4fb; border-left: 5px solid #2f6db5;
  padding: 0.9rem 1.1rem; margin: 1.2rem 0; }
.figures { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 0; padding: 0; }
.figures div { flex: 1 1 7rem; border: 1px solid #d5dbe1; border-radius: 6px;
  padding: 0.6rem 0.8rem; }
.figures dt { font-size: 0.85rem; color: #52606d; }
.figures dd { margin: 0; font-size: 1.5rem; font-weight: 600; }
.figures dd small { display: block; font-size: 0.85rem; font-weight: 400; color: #52606d; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.95rem; }
caption { text-align: left; color: #52606d; padding-bottom: 0.3rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #e4e7eb;
  vertical-align: top; }
th { background: #f0f2f5; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.chart { max-width: 100%; height: auto; display: block; margin: 0.4rem 0; }
details summary { cursor: pointer; color: #2f6db5; }
dl.terms dt { font-weight: 600; margin-top: 0.5rem; }
dl.terms dd { margin: 0 0 0 1rem; }
footer { margin-top: 2.5rem; color: #52606d; font-size: 0.85rem; }
@media print { body { background: #fff; } main { max-width: none; } details { display: block; } }
"""

TERMS = (
    ("Query", "One request for this state's data. A query sent to several states counts "
     "once for each, and once here."),
    ("Permitted / refused", "What this state's rules decided. A refused query never reaches "
     "the state's records."),
    ("Answered", "The state's records system replied. A permitted query can still go "
     "unanswered when the system is slow, down or faulty."),
    ("Fields withheld", "Parts of a licence record (for example the address) a rule keeps "
     "out of the answer."),
    ("Notice", "A letter owed to a person whose record was released, under a rule that "
     "requires one. Sent means it was marked sent; otherwise it is due until its date "
     "passes, then overdue."),
    ("Candidate policy", "A draft of new rules run beside the rules in force (shadow mode). "
     "It decides nothing; the report counts where it would have decided otherwise."),
)  # fmt: skip


def _e(value: object) -> str:
    return escape(str(value))


def _n(value: int) -> str:
    return f'<td class="n">{value:,}</td>'


def _table(caption: str, head: Sequence[str], rows: Iterable[Sequence[str]], numeric: range) -> str:
    """`numeric`: the columns holding counts, set right-aligned."""
    right = ' class="n"'
    header = "".join(
        f'<th scope="col"{right if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(head)
    )
    body = "".join(f"<tr>{''.join(cells)}</tr>" for cells in rows)
    if not body:
        body = f'<tr><td colspan="{len(head)}">None in this period.</td></tr>'
    return (
        f"<table><caption>{_e(caption)}</caption><thead><tr>{header}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _refused_under(tally: Tally) -> str:
    ranked = sorted(tally.denied_by.items(), key=lambda kv: (-kv[1], kv[0]))
    return "<td>" + _e(", ".join(f"{rule} ({n:,})" for rule, n in ranked)) + "</td>"


def _tally_cells(tally: Tally) -> list[str]:
    return [
        _n(tally.queries),
        _n(tally.permitted),
        _n(tally.denied),
        _n(tally.answered),
        _refused_under(tally),
    ]


# The second column, the one count in two-column tables.
_ONE = range(1, 2)

TALLY_HEAD = ("Queries", "Permitted", "Refused", "Answered", "Refused under rule (count)")


def _breakdown(key: str, title: str, groups: list[Group]) -> str:
    chart = ""
    if groups:
        shown = groups[:CHART_ROWS]
        more = f" (the {len(shown)} largest)" if len(groups) > len(shown) else ""
        chart = bar_chart(
            [(_label(g), g.tally.permitted, g.tally.denied) for g in shown],
            f"{title}{more}: queries permitted and refused",
        )
    rows = (
        [
            f"<td>{_e(g.name)}</td>",
            f"<td>{_e('' if g.label == g.name else g.label)}</td>",
            *_tally_cells(g.tally),
        ]
        for g in groups
    )
    table = _table(f"{title}: every group", ("Group", "Meaning", *TALLY_HEAD), rows, range(2, 6))
    return f'<h3>{_e(title)}</h3><p class="note">{_e(NOTES.get(key, ""))}</p>{chart}{table}'


def _label(group: Group) -> str:
    if group.label and group.label != group.name:
        return f"{group.name} ({group.label})" if len(group.name) <= 3 else group.label
    return group.name


def _figures(report: Report) -> str:
    t = report.totals
    unanswered = t.permitted - t.answered
    figures = [
        ("Queries", f"{t.queries:,}", ""),
        ("Answered", f"{t.answered:,}", percent(t.answered, t.queries)),
        ("Refused by the state's rules", f"{t.denied:,}", percent(t.denied, t.queries)),
        ("Permitted, not answered", f"{unanswered:,}", percent(unanswered, t.queries)),
        ("Notices owed", f"{report.notices.total:,}", ""),
        ("Notices overdue", f"{report.notices.overdue:,}", ""),
    ]
    items = "".join(
        f"<div><dt>{_e(label)}</dt><dd>{_e(value)}"
        + (f" <small>{_e(share)} of queries</small>" if share else "")
        + "</dd></div>"
        for label, value, share in figures
    )
    return f'<dl class="figures">{items}</dl>'


def _timeline(report: Report) -> str:
    tl = report.timeline
    if not tl.points:
        return "<p>No dated queries in this period.</p>"
    chart = time_chart(tl.points, tl.bucket, f"Queries per {tl.bucket}, permitted and refused")
    rows = (
        [f"<td>{_e(p.start.isoformat())}</td>", _n(p.queries), _n(p.permitted), _n(p.denied)]
        for p in tl.points
    )
    table = _table(
        f"Queries per {tl.bucket}; each {tl.bucket} is named by its first day (UTC)",
        ("Starting", "Queries", "Permitted", "Refused"),
        rows,
        range(1, 4),
    )
    undated = (
        f"<p>{plural(tl.undated, 'query was', 'queries were')} recorded without a time and "
        "are not in the chart.</p>"
        if tl.undated
        else ""
    )
    return (
        f'<p class="note">Each column is one {_e(tl.bucket)}: blue permitted, orange refused. '
        f"Hover over a column for its numbers, or open the table below.</p>{chart}{undated}"
        f"<details><summary>The numbers behind the chart</summary>{table}</details>"
    )


def _refusals(report: Report) -> str:
    rules = report.denials_by_rule
    if not rules:
        return "<p>No query was refused in this period.</p>"
    chart = bar_chart(
        [(r.rule, 0, r.count) for r in rules[:CHART_ROWS]],
        "Queries refused, by rule",
        refused_only=True,
    )
    rows = ([f"<td>{_e(r.rule)}</td>", _n(r.count), f"<td>{_e(r.reason or '')}</td>"]
            for r in rules)  # fmt: skip
    head = ("Rule", "Refused", "Reason")
    return chart + _table("Each rule that refused queries", head, rows, _ONE)


def _redactions(report: Report) -> str:
    r = report.redactions
    lead = (
        f"<p>Of {plural(r.answered, 'answer', 'answers')} sent, {r.withheld:,} "
        f"({percent(r.withheld, r.answered)}) had fields withheld by the state's rules.</p>"
    )
    rows = ([f"<td>{_e(name)}</td>", _n(n)] for name, n in r.fields)
    return lead + _table(
        "Each field withheld, with the number of answers it was withheld from",
        ("Field", "Answers"),
        rows,
        _ONE,
    )


def _notices(report: Report) -> str:
    owed = report.notices
    rows = [
        ["<td>Owed in this period</td>", _n(owed.total)],
        ["<td>Sent</td>", _n(owed.sent)],
        ["<td>Not sent, due (due date not yet passed)</td>", _n(owed.due)],
        ["<td>Not sent, overdue (due date passed)</td>", _n(owed.overdue)],
    ]
    if owed.next_due:
        rows.append(["<td>Next due date</td>", f'<td class="n">{_e(owed.next_due)}</td>'])
    return (
        f'<p class="note">As of {_e(owed.as_of.isoformat())}. A notice is overdue when it '
        "has not been marked sent (<code>switch notices --mark-sent</code>) by its due date.</p>"
        + _table("Notices to people whose records were released", ("", "Notices"), rows, _ONE)
    )


def _shadow(report: Report) -> str:
    s = report.shadow
    if not s.compared:
        return "<p>No candidate policy was being tested for this state in this period.</p>"
    lead = (
        f"<p>A candidate policy also decided {plural(s.compared, 'query', 'queries')}; it "
        f"disagreed with the rules in force on {s.disagreements:,} "
        f"({percent(s.disagreements, s.compared)}).</p>"
    )
    rows = (
        [
            f"<td>{_e(c.enforced)}</td>",
            f"<td>{_e(c.candidate)}</td>",
            f"<td>{_e(c.candidate_version)}</td>",
            _n(c.count),
        ]
        for c in s.changes
    )
    return lead + _table(
        "Where the candidate would have decided otherwise",
        ("Decided", "Candidate would have", "Candidate version", "Queries"),
        rows,
        range(3, 4),
    )


def _access(report: Report) -> str:
    changes = report.access_changes
    if not changes:
        return "<p>No admin changed this state's access in this period.</p>"
    rows = (
        [f"<td>{_e(c.act)}</td>", f"<td>{_e(c.label)}</td>", _n(c.done), _n(c.refused)]
        for c in changes
    )
    note = (
        '<p class="note">Each change an admin made, or tried to make, to what decides who '
        "reads this state's data: its policy, its service status, the keys and warrants of "
        "its agencies, its notices. Each is a record in the audit chain "
        "(<code>GET /v1/audit?kind=admin</code>).</p>"
    )
    head = ("Act", "Meaning", "Done", "Refused")
    return note + _table("Admin acts about this state", head, rows, range(2, 4))


def _versions(report: Report) -> str:
    kept = report.policy_versions
    if not kept:
        return "<p>No version of this state's policy was recorded in this period.</p>"

    def count(value: int | None) -> str:
        return '<td class="n">-</td>' if value is None else _n(value)

    rows = (
        [
            f"<td>{_e(v.time.isoformat(timespec='seconds'))}</td>",
            f"<td><code>{_e(v.version)}</code></td>",
            f"<td>{_e(v.origin + (' (candidate)' if v.candidate else ''))}</td>",
            f"<td>{_e(v.author or '-')}</td>",
            f"<td>{_e(v.comment or '')}</td>",
            count(v.tightened),
            count(v.loosened),
            f"<td>{_e(v.approved_by or '-')}</td>",
        ]
        for v in kept
    )
    note = (
        '<p class="note">Every version of the policy recorded in the period. A promotion shows '
        "what its replay found it would have tightened and loosened, and who approved it.</p>"
    )
    head = ("Time", "Hash", "Origin", "Author", "Comment", "Tightened", "Loosened", "Approved by")
    return note + _table("Policy versions", head, rows, range(5, 7))


def _top(report: Report) -> str:
    rows = (
        [
            f"<td>{_e(a.ori)}</td>",
            f"<td>{_e(a.name)}</td>",
            f"<td>{_e(a.state)}</td>",
            *_tally_cells(a.tally),
        ]
        for a in report.top_agencies
    )
    return _table(
        f"The {len(report.top_agencies)} agencies that asked most",
        ("ORI", "Agency", "State", *TALLY_HEAD),
        rows,
        range(3, 7),
    )


def _terms() -> str:
    items = "".join(f"<dt>{_e(term)}</dt><dd>{_e(meaning)}</dd>" for term, meaning in TERMS)
    return f'<dl class="terms">{items}</dl>'


def render_html(report: Report) -> str:
    name = report.state_name
    who = "".join(
        _breakdown(b.key, b.title, b.groups)
        for b in report.breakdowns
        if b.key not in ("by_key", "by_reason")
    )
    what = "".join(
        _breakdown(b.key, b.title, b.groups)
        for b in report.breakdowns
        if b.key in ("by_key", "by_reason")
    )
    generated = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(name)} ({_e(report.state)}): who asked for this state's DMV data</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<header>
<p class="kicker">Transparency report</p>
<h1>Who asked for {_e(name)}'s DMV data</h1>
<p class="period">{_e(period_words(report))}</p>
</header>
<section aria-labelledby="summary"><h2 id="summary">Summary</h2>
<p class="summary">{_e(" ".join(report.summary))}</p>
{_figures(report)}
</section>
<section aria-labelledby="time"><h2 id="time">Queries over time</h2>{_timeline(report)}</section>
<section aria-labelledby="who"><h2 id="who">Who asked</h2>{who}</section>
<section aria-labelledby="what"><h2 id="what">What they asked for</h2>{what}</section>
<section aria-labelledby="refusals"><h2 id="refusals">Refusals by rule</h2>
<p class="note">Each rule of {_e(name)}'s policy that refused queries, with the reason it gives.
A refusal under {_e(DEFAULT_RULE)} means no rule matched and the policy's default was to
refuse.</p>{_refusals(report)}</section>{html_section(report.proxies)}
<section aria-labelledby="withheld"><h2 id="withheld">Fields withheld</h2>
{_redactions(report)}</section>
<section aria-labelledby="notices"><h2 id="notices">Notices owed to people</h2>
{_notices(report)}</section>
<section aria-labelledby="shadow"><h2 id="shadow">Candidate policy (shadow mode)</h2>
{_shadow(report)}</section>
<section aria-labelledby="access"><h2 id="access">Changes to this state's access</h2>
{_access(report)}</section>
<section aria-labelledby="versions"><h2 id="versions">Versions of this state's policy</h2>
{_versions(report)}</section>
<section aria-labelledby="top"><h2 id="top">Agencies that asked most</h2>{_top(report)}</section>
<section aria-labelledby="terms"><h2 id="terms">How to read this report</h2>{_terms()}</section>
<footer>Generated {_e(generated)} from the switch's audit records. All times are UTC.</footer>
</main>
</body>
</html>
"""
