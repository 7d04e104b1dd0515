"""Each format shows the same numbers: JSON, CSV, the rich tables, HTML."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from switch.db.database import migrate, open_engine
from switch.directory import Agency, Directory
from switch.reports import FORMATS, Report, ReportError, build_report, render
from switch.reports._table import render_table
from tests.reports.audit import HOSTILE_NAME, HOSTILE_ORI, NOW, directory, seed
from tests.utils.databases import Databases


@pytest.fixture(scope="module")
def engine(
    tmp_path_factory: pytest.TempPathFactory, audit_databases: Databases
) -> Iterator[Engine]:
    engine = open_engine(audit_databases.url(tmp_path_factory.mktemp("render")))
    migrate(engine)
    seed(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def report(engine: Engine) -> Report:
    return build_report(engine, directory(), "WA", now=NOW)


def test_json_parses_and_holds_every_section(report: Report) -> None:
    data = json.loads(render(report, "json"))
    assert data == json.loads(json.dumps(report.as_dict()))
    assert data["state"] == "WA" and data["state_name"] == "Washington"
    assert data["since"] is None and data["until"] is None
    assert data["totals"]["queries"] == 24
    assert data["totals"]["statuses"]["no_response"] == 1
    component = {g["name"]: g for g in data["by_component"]}
    assert component["ICE-ERO"]["denied_by"] == {"wa-no-ice": 3}
    assert component["CBP"]["answered"] == 3
    assert data["by_locality"][0] == {
        "name": "out-of-state",
        "label": "agencies outside Washington",
        "queries": 14,
        "permitted": 7,
        "denied": 7,
        "answered": 6,
        "denied_by": {"wa-no-ice": 5, "(default)": 1, "wa-unknown": 1},
    }
    assert data["redactions"] == {
        "answered": 14,
        "withheld": 6,
        "fields": [{"field": "ADR", "answers": 6}, {"field": "SSN", "answers": 1}],
    }
    assert data["notices"]["sent"] == 0
    assert (data["notices"]["due"], data["notices"]["overdue"]) == (2, 1)
    assert data["shadow"]["disagreements"] == 3
    assert data["top_agencies"][0]["ori"] == "WA0170100"
    assert data["timeline"]["bucket"] == "day" and len(data["timeline"]["points"]) == 10
    assert data["summary"].startswith("In this period, 24 queries asked for Washington's data;")


def _csv(text: str) -> dict[tuple[str, str, str], str]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return {(r["section"], r["item"], r["metric"]): r["value"] for r in rows}


def test_csv_has_the_numbers(report: Report) -> None:
    text = render(report, "csv")
    assert text.splitlines()[0] == "section,item,detail,metric,value"
    cells = _csv(text)
    assert cells["totals", "all", "queries"] == "24"
    assert cells["totals", "all", "denied"] == "7"
    statuses = [r for r in csv.reader(io.StringIO(text)) if r[:2] == ["totals", "status"]]
    assert [(r[2], r[4]) for r in statuses] == [
        ("answered", "14"),
        ("rejected", "7"),
        ("no_response", "1"),
        ("out_of_service", "1"),
        ("fault", "1"),
    ]
    assert cells["by_component", "ICE-ERO", "denied"] == "3"
    assert cells["by_component", "ICE-HSI", "denied under wa-no-ice"] == "2"
    assert cells["by_type", "FE", "queries"] == "10"
    assert cells["by_requester_state", "AZ", "queries"] == "5"
    assert cells["by_key", "DQ", "answered"] == "11"
    assert cells["by_reason", "none", "queries"] == "13"
    assert cells["denials_by_rule", "wa-no-ice", "denied"] == "5"
    assert cells["redactions", "ADR", "answers withheld from"] == "6"
    assert cells["notices", "overdue", "notices"] == "1"
    assert cells["notices", "sent", "notices"] == "0"
    assert cells["shadow", "permit -> deny", "queries"] == "2"
    assert cells["top_agencies", "VTICE0900", "denied"] == "3"
    assert cells["timeline", "2025-03-11", "queries"] == "4"


def test_csv_defuses_formulas_in_names(engine: Engine) -> None:
    spiteful = Directory.load().with_agencies(Agency(HOSTILE_ORI, "=HYPERLINK(1)", "WA", "LE"))
    text = render(build_report(engine, spiteful, "WA", now=NOW), "csv")
    row = next(r for r in csv.reader(io.StringIO(text)) if r[:2] == ["top_agencies", HOSTILE_ORI])
    assert row[2] == "'=HYPERLINK(1)"


def test_table_shows_the_numbers_and_names_verbatim(report: Report) -> None:
    text = render(report, "table")
    assert "Transparency report: Washington (WA)" in text
    assert "Everything recorded; queries found from 2025-03-03 09:00 to 2025-03-12 23:59 UTC." in (
        text
    )
    assert re.search(r"ICE-ERO\s.*\s3\s.*\s0\s.*\s3\s.*\s0\s.*wa-no-ice 3", text)
    assert re.search(r"Not sent, overdue \(date passed\)\s*│\s*1", text)
    assert re.search(r"Sent\s*│\s*0", text)
    # Rich markup in an agency's name is printed, not obeyed.
    assert HOSTILE_NAME in render_table(report, width=250)


def test_html_is_one_self_contained_file(report: Report) -> None:
    page = render(report, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<html") == 1 and page.rstrip().endswith("</html>")
    assert "<svg" in page
    assert "http://" not in page and "https://" not in page
    for external in ("<script", "<link", "<img", "<iframe", "@import", "url(", "src="):
        assert external not in page
    assert "<style>" in page


def test_html_opens_with_the_summary(report: Report) -> None:
    page = render(report, "html")
    summary = html.escape(" ".join(report.summary))
    assert f'<p class="summary">{summary}</p>' in page
    assert html.escape("In this period, 24 queries asked for Washington's data;") in page
    assert page.index("summary") < page.index("<svg")


def test_html_escapes_hostile_names(report: Report) -> None:
    page = render(report, "html")
    assert HOSTILE_NAME not in page
    assert html.escape(HOSTILE_NAME) in page
    assert "<script>" not in page


def test_html_labels_every_count(report: Report) -> None:
    page = render(report, "html")
    # Each bar's total is written beside it, each day's column has its count.
    assert ">3 (3 refused)</text>" in page
    assert ">13 (1 refused)</text>" in page
    assert re.search(r'text-anchor="middle" fill="#1f2933">4</text>', page)
    assert '<th scope="col" class="n">Queries</th>' in page


def test_an_empty_report_renders_in_every_format(engine: Engine) -> None:
    empty = build_report(engine, directory(), "TX", now=NOW)
    for format in FORMATS:
        assert "Texas" in render(empty, format)
    assert "None in this period." in render(empty, "html")


def test_unknown_format(report: Report) -> None:
    with pytest.raises(ReportError, match="unknown format 'xml'"):
        render(report, "xml")
