"""One report, four ways to show it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Literal, get_args

from switch.reports._csv import render_csv
from switch.reports._html import render_html
from switch.reports._model import Report
from switch.reports._period import ReportError
from switch.reports._table import render_table

ReportFormat = Literal["table", "csv", "json", "html"]
FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


_RENDERERS: dict[str, Callable[[Report], str]] = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}


def render(report: Report, format: str) -> str:
    renderer = _RENDERERS.get(format)
    if renderer is None:
        raise ReportError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    return renderer(report)
