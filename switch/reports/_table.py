"""The report as rich tables, for a terminal."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from switch.reports._model import Breakdown, Report, Tally
from switch.reports._proxies import table as proxy_table
from switch.reports._summary import REFUSAL_WORDS, percent, period_words

# Every cell is a `Text`, never a markup string: agency names and rule
# reasons come from outside and may hold "[...]".


def _table(title: str, *columns: str, numeric_from: int = 1) -> Table:
    table = Table(title=Text(title, style="bold"), title_justify="left")
    for index, column in enumerate(columns):
        table.add_column(column, justify="right" if index >= numeric_from else "left")
    return table


def _n(value: int) -> Text:
    return Text(f"{value:,}")


def _refused_under(tally: Tally) -> Text:
    ranked = sorted(tally.denied_by.items(), key=lambda kv: (-kv[1], kv[0]))
    return Text(", ".join(f"{rule} {n:,}" for rule, n in ranked))


TALLY_HEAD = ("Queries", "Permitted", "Refused", "Answered", "Refused under")


def _tally_row(tally: Tally) -> list[Text]:
    return [
        _n(tally.queries),
        _n(tally.permitted),
        _n(tally.denied),
        _n(tally.answered),
        _refused_under(tally),
    ]


def _totals(report: Report) -> Table:
    t = report.totals
    table = _table("Totals", "Measure", "Count", "Share of queries")
    table.add_row(Text("Queries"), _n(t.queries), Text(""))
    rows = [
        ("Permitted by policy", t.permitted),
        ("Refused by policy", t.denied),
        *((f"Refused at: {REFUSAL_WORDS[p]}", n) for p, n in report.refused_at.items()),
        *((f"Status: {status}", n) for status, n in report.statuses.items()),
    ]
    for label, n in rows:
        table.add_row(Text(label), _n(n), Text(percent(n, t.queries)))
    return table


def _timeline(report: Report) -> Table:
    tl = report.timeline
    table = _table(f"Queries per {tl.bucket} (UTC)", "Starting", "Queries", "Permitted", "Refused")
    for point in tl.points:
        start = Text(point.start.isoformat())
        table.add_row(start, _n(point.queries), _n(point.permitted), _n(point.denied))
    if tl.undated:
        table.add_row(Text("(no time recorded)"), _n(tl.undated), Text(""), Text(""))
    return table


def _breakdown(breakdown: Breakdown) -> Table:
    table = _table(breakdown.title, "Group", "Meaning", *TALLY_HEAD, numeric_from=2)
    table.columns[-1].justify = "left"
    for group in breakdown.groups:
        meaning = "" if group.label == group.name else group.label
        table.add_row(Text(group.name), Text(meaning), *_tally_row(group.tally))
    return table


def _refusals(report: Report) -> Table:
    table = _table("Refusals by rule", "Rule", "Refused", "Reason given")
    table.columns[-1].justify = "left"
    for rule in report.denials_by_rule:
        table.add_row(Text(rule.rule), _n(rule.count), Text(rule.reason or ""))
    return table


def _redactions(report: Report) -> Table:
    r = report.redactions
    table = _table("Fields withheld from answers", "", "Answers")
    table.add_row(Text("Answers sent"), _n(r.answered))
    table.add_row(Text("Answers with fields withheld"), _n(r.withheld))
    for name, n in r.fields:
        table.add_row(Text(f"  {name} withheld"), _n(n))
    return table


def _notices(report: Report) -> Table:
    owed = report.notices
    table = _table(f"Notices owed to people (as of {owed.as_of.isoformat()})", "", "Notices")
    table.add_row(Text("Owed"), _n(owed.total))
    table.add_row(Text("Sent"), _n(owed.sent))
    table.add_row(Text("Not sent, due (date not passed)"), _n(owed.due))
    table.add_row(Text("Not sent, overdue (date passed)"), _n(owed.overdue))
    if owed.next_due:
        table.add_row(Text("Next due date"), Text(owed.next_due))
    return table


def _shadow(report: Report) -> Table:
    s = report.shadow
    table = _table(
        "Candidate policy (shadow mode) disagreements",
        "Enforced",
        "Candidate",
        "Candidate version",
        "Queries",
        numeric_from=3,
    )
    for c in s.changes:
        table.add_row(Text(c.enforced), Text(c.candidate), Text(c.candidate_version), _n(c.count))
    table.caption = Text(f"{s.disagreements:,} of {s.compared:,} queries a candidate also decided")
    return table


def _access(report: Report) -> Table:
    table = _table(
        "Changes to this state's access (admin acts)",
        "Act",
        "Meaning",
        "Done",
        "Refused",
        numeric_from=2,
    )
    for c in report.access_changes:
        table.add_row(Text(c.act), Text(c.label), _n(c.done), _n(c.refused))
    return table


def _optional(value: int | None) -> Text:
    return Text("-", justify="right") if value is None else _n(value)


def _versions(report: Report) -> Table:
    table = _table(
        "Policy versions recorded (promotions with their replay's evidence)",
        "Time",
        "Hash",
        "Origin",
        "Author",
        "Comment",
        "Tightened",
        "Loosened",
        "Approved by",
        numeric_from=5,
    )
    table.columns[-1].justify = "left"
    table.columns[1].no_wrap = True  # a hash is looked up whole
    for v in report.policy_versions:
        origin = f"{v.origin} (candidate)" if v.candidate else v.origin
        table.add_row(
            Text(v.time.isoformat(timespec="seconds")),
            Text(v.version),
            Text(origin),
            Text(v.author or "-"),
            Text(v.comment or ""),
            _optional(v.tightened),
            _optional(v.loosened),
            Text(v.approved_by or "-"),
        )
    return table


def _top(report: Report) -> Table:
    table = _table("Top requesting agencies", "ORI", "Name", "State", *TALLY_HEAD, numeric_from=3)
    table.columns[-1].justify = "left"
    for agency in report.top_agencies:
        who = (Text(agency.ori), Text(agency.name), Text(agency.state))
        table.add_row(*who, *_tally_row(agency.tally))
    return table


def tables(report: Report) -> list[Table | Panel | Text]:
    """Everything a terminal shows, in reading order."""
    return [
        Text(f"Transparency report: {report.state_name} ({report.state})", style="bold"),
        Text(period_words(report)),
        Panel(Text(" ".join(report.summary)), title="Summary", title_align="left", expand=False),
        _totals(report),
        _timeline(report),
        *(_breakdown(b) for b in report.breakdowns),
        _refusals(report),
        _redactions(report),
        _notices(report),
        _shadow(report),
        _access(report),
        _versions(report),
        *([proxy_table(report.proxies)] if report.proxies is not None else []),
        _top(report),
    ]


def print_tables(report: Report, console: Console) -> None:
    console.print(Group(*tables(report)))


def render_table(report: Report, width: int = 120) -> str:
    """The tables as plain text, for a file."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, color_system=None)
    print_tables(report, console)
    return buffer.getvalue()
