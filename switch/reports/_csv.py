"""The report as CSV: one number a line, `section,item,detail,metric,value`,
so a spreadsheet can filter and pivot every section the same way."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from switch.reports._model import Report, Tally
from switch.reports._proxies import csv_rows as proxy_rows

COLUMNS = ("section", "item", "detail", "metric", "value")
Row = tuple[str, str, str, str, str | int]
# A text cell starting with one of these is a formula to a spreadsheet; agency
# names and rule reasons come from outside, so such cells are quoted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: str | int) -> str | int:
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def _tally(section: str, item: str, detail: str, tally: Tally) -> Iterator[Row]:
    yield section, item, detail, "queries", tally.queries
    yield section, item, detail, "permitted", tally.permitted
    yield section, item, detail, "denied", tally.denied
    yield section, item, detail, "answered", tally.answered
    for rule, count in sorted(tally.denied_by.items(), key=lambda kv: (-kv[1], kv[0])):
        yield section, item, detail, f"denied under {rule}", count


def rows(report: Report) -> Iterator[Row]:
    yield "report", "state", report.state_name, "code", report.state
    yield "report", "since", "", "as given", report.period.since or ""
    yield "report", "until", "", "as given", report.period.until or ""
    yield "report", "generated_at", "", "UTC", report.generated_at.isoformat()
    yield "report", "summary", "", "text", " ".join(report.summary)
    yield from _tally("totals", "all", "", report.totals)
    for status, count in report.statuses.items():
        yield "totals", "status", status, "queries", count
    for breakdown in report.breakdowns:
        for group in breakdown.groups:
            yield from _tally(breakdown.key, group.name, group.label, group.tally)
    for place, count in report.refused_at.items():
        yield "totals", "refused_at", place, "denied", count
    for rule in report.denials_by_rule:
        yield "denials_by_rule", rule.rule, rule.reason or "", "denied", rule.count
    r = report.redactions
    yield "redactions", "answers", "", "answered", r.answered
    yield "redactions", "answers", "", "with fields withheld", r.withheld
    for name, count in r.fields:
        yield "redactions", name, "field", "answers withheld from", count
    owed = report.notices
    as_of = f"as of {owed.as_of.isoformat()}"
    yield "notices", "owed", as_of, "notices", owed.total
    yield "notices", "due", as_of, "notices", owed.due
    yield "notices", "overdue", as_of, "notices", owed.overdue
    yield "notices", "sent", as_of, "notices", owed.sent
    s = report.shadow
    yield "shadow", "compared", "", "queries", s.compared
    yield "shadow", "disagreements", "", "queries", s.disagreements
    for change in s.changes:
        item = f"{change.enforced} -> {change.candidate}"
        yield "shadow", item, change.candidate_version, "queries", change.count
    for access in report.access_changes:
        yield "access_changes", access.act, access.label, "done", access.done
        yield "access_changes", access.act, access.label, "refused", access.refused
    for v in report.policy_versions:
        # One row per count: item the hash, label the origin and author.
        label = f"{v.origin} by {v.author or '-'}" + (" (candidate)" if v.candidate else "")
        yield "policy_versions", v.version, label, v.time.isoformat(), 1
        if v.tightened is not None:
            yield "policy_versions", v.version, "evidence", "tightened", v.tightened
        if v.loosened is not None:
            yield "policy_versions", v.version, "evidence", "loosened", v.loosened
    if report.proxies is not None:
        yield from proxy_rows(report.proxies)
    for agency in report.top_agencies:
        yield from _tally("top_agencies", agency.ori, agency.name, agency.tally)
    bucket = report.timeline.bucket
    for point in report.timeline.points:
        start = point.start.isoformat()
        yield "timeline", start, bucket, "queries", point.queries
        yield "timeline", start, bucket, "permitted", point.permitted
        yield "timeline", start, bucket, "denied", point.denied
    if report.timeline.undated:
        yield "timeline", "undated", "", "queries", report.timeline.undated


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(tuple(_safe(cell) for cell in row) for row in rows(report))
    return buffer.getvalue()
