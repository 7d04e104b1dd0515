"""Lines meant for machines or grep come out whole at any width, on a pipe.

Every command here runs with `COLUMNS=40` and its output captured (not a
terminal), which is how a script or CI sees it; each assertion is on one
whole line of that output.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switch.cli import app

POLICIES = Path(__file__).resolve().parents[2] / "policies"
SWITCH = Path(sys.executable).parent / "switch"
NARROW = {"COLUMNS": "40"}
runner = CliRunner()


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_policy_check_problem_is_one_line_in_a_real_process(tmp_path: Path) -> None:
    # A deep folder makes `file:line: reason` far longer than 40 (or 80) columns.
    folder = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6)
    folder.mkdir(parents=True)
    (folder / "WA.yaml").write_text(
        "state: WA\ntitle: t\nrules:\n  - id: r\n    effect: deny\n"
        "    when: {requester.component: ICE_ERO}\n"
    )
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as err:
        done = subprocess.run(
            [str(SWITCH), "policy", "check", str(folder)],
            stdout=subprocess.PIPE,
            stderr=err,
            env={**os.environ, **NARROW},
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    expected = (
        f"{folder / 'WA.yaml'}:4: rules.0: a deny rule must give a reason: the requester is told it"
    )
    assert expected in lines(stderr.read_text())
    assert "Traceback" not in stderr.read_text()


@pytest.fixture
def traffic(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """One released NY record (a notice owed) and one refused WA query."""
    monkeypatch.setenv("SWITCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SWITCH_POLICIES", str(POLICIES))
    monkeypatch.chdir(tmp_path)
    court = runner.invoke(
        app, ["warrants", "issue", "--kind", "judicial", "--to", "VTICE0900", "--oln", "251521899"]
    )
    assert court.exit_code == 0, court.stderr
    text = f"DQ.VTICE0900.NY.TXTOLN/251521899.WRT/{court.stdout.strip()}"
    released = runner.invoke(app, ["send", text, "--as", "VTICE0900"], env=NARROW)
    assert released.exit_code == 0, released.stderr
    return sqlite_url


def test_er_text_is_one_line(traffic: str) -> None:
    result = runner.invoke(
        app, ["send", "DQ.VTICE0900.WA.TXTOLN/251521899", "--as", "VTICE0900"], env=NARROW
    )
    assert result.exit_code == 1
    assert (
        "DENIED BY WA POLICY RULE wa-no-ice: Keep Washington Working — no DMV data for "
        "civil immigration enforcement"
    ) in lines(result.stdout)


def test_notices_table_keeps_ids_and_rules_whole(traffic: str) -> None:
    result = runner.invoke(app, ["notices", "--state", "NY"], env=NARROW)
    assert result.exit_code == 0, result.stderr
    rows = [line for line in lines(result.stdout) if "VTICE0900" in line]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].split("│")]
    assert "ny-immigration-judicial-release" in cells
    assert "HILL,MICHAEL JOE OLN 251521899" in cells
    assert any(len(cell) == 32 and cell.isalnum() for cell in cells)  # the whole message id


def test_report_tables_are_not_cut(traffic: str) -> None:
    result = runner.invoke(app, ["report", "NY"], env=NARROW)
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    top = [line for line in out if line.startswith("│ VTICE0900")]
    assert top, "\n".join(out)
    cells = [cell.strip() for cell in top[-1].split("│")]
    assert cells[1] == "VTICE0900"
    assert cells[2].startswith("ICE") or "Immigration" in cells[2]
    assert "…" not in top[-1]
    summary = [line for line in out if "In this period, 1 query asked for New York" in line]
    assert len(summary) == 1 and "none is overdue." in summary[0]


def test_report_csv_and_json_lines_are_whole(traffic: str) -> None:
    as_csv = runner.invoke(app, ["report", "NY", "--format", "csv"], env=NARROW)
    assert as_csv.exit_code == 0, as_csv.stderr
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    widths = {len(row) for row in rows if row}
    assert len(widths) == 1, widths  # no row split across lines
    as_json = runner.invoke(app, ["report", "NY", "--format", "json"], env=NARROW)
    assert as_json.exit_code == 0, as_json.stderr
    assert json.loads(as_json.stdout)["state"] == "NY"


def test_agency_json_and_table_rows_are_whole(traffic: str) -> None:
    as_json = runner.invoke(app, ["agencies", "--component", "ICE-HSI", "--json"], env=NARROW)
    assert as_json.exit_code == 0
    assert all(a["component"] == "ICE-HSI" for a in json.loads(as_json.stdout))
    table = runner.invoke(app, ["agencies", "--state", "CA"], env=NARROW)
    assert table.exit_code == 0
    chp = [line for line in lines(table.stdout) if "CACHP" in line]
    assert chp and all("…" not in line for line in chp)
    assert any("California Highway Patrol" in line for line in chp)


def test_help_has_whole_sentence_summaries_and_no_type_noise() -> None:
    for group in ([], ["keys"], ["policy"], ["warrants"], ["sim"], ["status"], ["audit"]):
        result = runner.invoke(app, [*group, "--help"], env=NARROW)
        assert result.exit_code == 0
        assert "<bool>" not in result.stdout
        listing = result.stdout.split("Commands:", 1)[1]
        summaries = " ".join(listing.split())
        assert "..." not in summaries and "…" not in summaries, summaries
