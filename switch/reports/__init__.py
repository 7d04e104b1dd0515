"""State transparency reports: who asked for a state's data, what its rules
decided, what was withheld, which notices are owed, and where a candidate
policy would have decided otherwise.

`build_report` reads grouped counts from the audit (SQL aggregates over
`audit_outcomes`, so a report over millions of outcomes takes seconds) and
places each requesting ORI with the directory; `render` shows the result as
rich tables, CSV, JSON or a self-contained HTML page.
"""

from switch.reports._build import build_report
from switch.reports._compare import render_compare_html
from switch.reports._model import (
    AccessChange,
    Breakdown,
    Group,
    Notices,
    Redactions,
    Report,
    RuleCount,
    Shadow,
    ShadowChange,
    Tally,
    Timeline,
    TimePoint,
    TopAgency,
)
from switch.reports._period import Period, ReportError, check_state, parse_period
from switch.reports._render import FORMATS, ReportFormat, render, render_json
from switch.reports._table import print_tables

__all__ = [
    "FORMATS",
    "AccessChange",
    "Breakdown",
    "Group",
    "Notices",
    "Period",
    "Redactions",
    "Report",
    "ReportError",
    "ReportFormat",
    "RuleCount",
    "Shadow",
    "ShadowChange",
    "Tally",
    "TimePoint",
    "Timeline",
    "TopAgency",
    "build_report",
    "check_state",
    "parse_period",
    "print_tables",
    "render",
    "render_compare_html",
    "render_json",
]
